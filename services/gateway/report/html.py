"""The SKK report as one self-contained HTML page (inline style and SVG charts)."""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.gateway.documents.paper import long_date
from services.gateway.report.data import SkkReport
from services.gateway.report.narrative import paragraphs
from services.gateway.report.tables import all_tables
from services.gateway.web import charts
from services.gateway.web.i18n import Words

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
)


def findings_chart(report: SkkReport, words: Words) -> str:
    years = sorted(report.findings_by_year)
    values = [report.findings_by_year[y] for y in years]
    return charts.line(
        years, [charts.Series(words("findings"), values, "s3")], title=words("per_year")
    )


def packages_chart(report: SkkReport, words: Words) -> str:
    shown = [d for d in report.desa if d.packages]
    return charts.bars(
        [d.name[:6] for d in shown],
        [charts.Series(words("packages"), [d.packages for d in shown])],
        title=words("packages"),
    )


def logo_uri(report: SkkReport) -> str:
    """The configured logo inlined (the page stands alone), or nothing."""
    logo = report.head.office.logo
    if logo is None or not logo.exists():
        return ""
    media = mimetypes.guess_type(logo.name)[0] or "image/png"
    return f"data:{media};base64,{base64.b64encode(logo.read_bytes()).decode()}"


def render_html(report: SkkReport, words: Words) -> str:
    start, end = report.period
    period = words("fiscal_period").format(
        start=long_date(start, words.lang), end=long_date(end, words.lang), year=report.year
    )
    return _ENV.get_template("skk.html").render(
        r=report,
        t=words,
        logo=logo_uri(report),
        period=period,
        narrative=paragraphs(report, words),
        signed_at=f"{report.head.place}, {long_date(report.generated_at.date(), words.lang)}",
        tables=[t for t in all_tables(report, words) if t.slug != "paket_per_desa_bulan"],
        findings_chart=findings_chart(report, words),
        packages_chart=packages_chart(report, words),
    )
