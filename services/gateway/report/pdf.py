"""The SKK report as a signable PDF on the kecamatan's paper (embedded Noto Sans): kop surat,
fiscal period, narrative, the tables, the camat's signature and the log's digest."""

from __future__ import annotations

from fpdf.enums import XPos, YPos

from services.gateway.documents.fonts import FAMILY
from services.gateway.documents.paper import BLANK, Paper, Signer, long_date
from services.gateway.report.data import SkkReport
from services.gateway.report.narrative import paragraphs
from services.gateway.report.tables import Table, all_tables
from services.gateway.web.i18n import Words

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
ON_PAPER = (
    "kegiatan",
    "donasi_per_bulan",
    "paket_per_desa",
    "paket_desa_x_bulan",
    "temuan_per_tahun",
    "temuan_per_kategori",
)
"""The tables the paper prints (the long `paket_per_desa_bulan` is the grid's source)."""


def _widths(table: Table) -> tuple[float, ...]:
    """Words get room; a figure's column is as wide as its header's longest word needs."""
    text = table.text_columns
    wide = 3.0 if len(table.headers) > 10 else 2.2
    return tuple(
        wide
        if i < text
        else max(1.6 if i in table.money else 1.0, max(len(w) for w in h.split() or [""]) / 5)
        for i, h in enumerate(table.headers)
    )


def _table(paper: Paper, number: str, table: Table, words: Words) -> None:
    paper.heading(f"{number}. {table.title}")
    paper.grid(
        table.headers,
        [table.shown(words, r) for r in table.rows],
        text_columns=table.text_columns,
        widths=_widths(table),
        totals=table.shown(words, table.totals) if table.totals is not None else None,
    )


def _digest(paper: Paper, number: str, report: SkkReport, words: Words) -> None:
    paper.heading(f"{number}. {words('digest')}")
    paper.set_font(FAMILY, "", 8.5)
    paper.multi_cell(0, 4.5, str(report.digest), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    paper.set_font(FAMILY, "", 8.5)
    paper.cell(0, 5, f"{words('digest_check')}:", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    paper.set_font(FAMILY, "", 7.5)
    paper.multi_cell(0, 4, report.check_command, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    paper.set_font(FAMILY, "", 10)


def _opening(paper: Paper, report: SkkReport, words: Words) -> None:
    start, end = report.period
    paper.title_block(
        words("skk_title"),
        words("skk_programmes"),
        words("fiscal_period").format(
            start=long_date(start, words.lang), end=long_date(end, words.lang), year=report.year
        ),
    )
    paper.heading(f"I. {words('narrative')}")
    for programme, text in paragraphs(report, words):
        paper.set_font(FAMILY, "B", 10)
        paper.cell(0, 5.5, programme, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        paper.paragraph(text, 9.5)


def render_pdf(report: SkkReport, words: Words) -> bytes:
    paper = Paper(report.head, report.generated_at, words.lang)
    paper.set_title(f"{words('report')} {report.name} {report.year}")
    paper.add_page()
    paper.kop_surat()
    _opening(paper, report, words)
    tables = {t.slug: t for t in all_tables(report, words)}
    for i, slug in enumerate(ON_PAPER, start=1):
        _table(paper, ROMAN[i], tables[slug], words)
    _digest(paper, ROMAN[len(ON_PAPER) + 1], report, words)
    camat = Signer(
        f"Camat {report.name}",
        report.head.office.camat,
        paper.place_and_date(report.generated_at.date()),
    )
    paper.signatures([BLANK, camat])
    return paper.finish()
