"""The SKK report of a kecamatan and year: HTML, PDF, a zip of CSV files (one per table), or
XLSX."""

from __future__ import annotations

from services.gateway.report.data import SkkReport
from services.gateway.report.html import render_html
from services.gateway.report.pdf import render_pdf
from services.gateway.report.sheets import csv_zip, xlsx
from services.gateway.report.tables import about, all_tables
from services.gateway.web.i18n import Words

FORMATS: dict[str, tuple[str, str]] = {
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "csv": ("application/zip", "csv.zip"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def render(report: SkkReport, fmt: str, words: Words, sep: str = ";") -> tuple[bytes, str, str]:
    """The report's bytes, media type and file name in one of FORMATS; `sep` is the CSV
    files' separator (`;` by default, `,` on request)."""
    if fmt == "html":
        content = render_html(report, words).encode()
    elif fmt == "pdf":
        content = render_pdf(report, words)
    else:
        tables = [about(report, words), *all_tables(report, words)]
        content = csv_zip(tables, sep) if fmt == "csv" else xlsx(tables, words)
    media, suffix = FORMATS[fmt]
    return content, media, f"laporan-skk-{report.kec}-{report.year}.{suffix}"
