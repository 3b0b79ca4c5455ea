"""The SKK report as one self-contained HTML page (inline style and SVG charts)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.gateway.report.data import SkkReport
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


def render_html(report: SkkReport, words: Words) -> str:
    return _ENV.get_template("skk.html").render(
        r=report,
        t=words,
        tables=all_tables(report, words),
        findings_chart=findings_chart(report, words),
        packages_chart=packages_chart(report, words),
    )
