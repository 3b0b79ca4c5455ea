"""The SKK report as a PDF (fpdf2, core fonts): the tables, the findings bars, the digest."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from services.gateway.report.data import SkkReport
from services.gateway.report.tables import Table, all_tables
from services.gateway.web.i18n import Words

BAR_MM = 60.0


def latin(text: str) -> str:
    """Core PDF fonts speak Latin-1; anything else becomes '?'."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _heading(pdf: FPDF, text: str, size: int = 12) -> None:
    pdf.set_font("Helvetica", "B", size)
    pdf.cell(0, 8, latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 9)


def _leading_text(table: Table) -> int:
    """How many columns on the left hold words (names, codes), not figures."""
    first = table.rows[0] if table.rows else ()
    return next((i for i, v in enumerate(first) if not isinstance(v, str)), len(first))


def _table(pdf: FPDF, table: Table, words: Words) -> None:
    _heading(pdf, table.title)
    rows = [list(table.headers), *(table.shown(words, r) for r in table.rows)]
    if table.totals is not None:
        rows.append(table.shown(words, table.totals))
    text = _leading_text(table)
    columns = range(len(table.headers))
    with pdf.table(
        col_widths=tuple(2.0 if i < text else 1.2 for i in columns),
        text_align=tuple("LEFT" if i < text else "RIGHT" for i in columns),
        line_height=5.5,
    ) as grid:
        for values in rows:
            line = grid.row()
            for value in values:
                line.cell(latin(value))
    pdf.ln(4)


def _findings_bars(pdf: FPDF, report: SkkReport, words: Words) -> None:
    counts = sorted(report.findings_by_year.items())
    top = max((n for _, n in counts), default=0) or 1
    for year, count in counts:
        pdf.cell(16, 6, year)
        x, y = pdf.get_x(), pdf.get_y() + 1
        pdf.set_fill_color(46, 125, 50)
        pdf.rect(x, y, BAR_MM * count / top, 4, style="F")
        pdf.set_x(x + BAR_MM + 4)
        pdf.cell(0, 6, words.number(count), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _digest(pdf: FPDF, report: SkkReport, words: Words) -> None:
    _heading(pdf, words("digest"))
    pdf.set_font("Courier", "", 9)
    pdf.cell(0, 5, str(report.digest), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 8)
    pdf.cell(0, 5, latin(f"{words('digest_check')}:"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Courier", "", 7)
    pdf.cell(0, 4, report.check_command, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 9)


def render_pdf(report: SkkReport, words: Words) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(latin(f"{words('report')} {report.name} {report.year}"))
    pdf.set_creator("Jumat SMART")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    _heading(pdf, f"{words('report')} - {words('kecamatan')} {report.name} {report.year}", 15)
    pdf.multi_cell(0, 5, latin(words("report_intro")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    stamp = report.generated_at.strftime("%Y-%m-%d %H:%M WIB")
    pdf.cell(0, 6, latin(f"{words('generated')}: {stamp}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    for table in all_tables(report, words):
        _table(pdf, table, words)
    _findings_bars(pdf, report, words)
    _digest(pdf, report, words)
    return bytes(pdf.output())
