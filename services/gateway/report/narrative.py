"""The report's short narrative: each programme's year in a sentence or two, with its figures."""

from __future__ import annotations

from collections import Counter

from services.gateway.report.data import SkkReport
from services.gateway.web.i18n import Words

SERASA = "SERASA_DESA"


def _activities(report: SkkReport, friday: bool) -> dict[str, str | int]:
    rows = [r for r in report.activities if (r.kind != SERASA) == friday]
    scheduled, held = sum(r.scheduled for r in rows), sum(r.held for r in rows)
    return {
        "scheduled": scheduled,
        "held": held,
        "officials": sum(r.officials for r in rows),
        "residents": sum(r.residents for r in rows),
        "rate_part": held,
        "rate_whole": scheduled,
    }


def _shown(words: Words, figures: dict[str, str | int]) -> dict[str, str]:
    """Figures in the reader's convention; `rate` from its two parts."""
    shown = {k: words.number(v) if isinstance(v, int) else v for k, v in figures.items()}
    if "rate_part" in figures:
        shown["rate"] = words.percent(int(figures["rate_part"]), int(figures["rate_whole"]))
    return shown


def _trend(report: SkkReport) -> str:
    return ", ".join(f"{y}: {n}" for y, n in sorted(report.findings_by_year.items())) or "-"


def _closing(report: SkkReport) -> int:
    return int(report.months[-1]["closing_balance_idr"]) if report.months else 0


def paragraphs(report: SkkReport, words: Words) -> list[tuple[str, str]]:
    """(programme, sentence) pairs: Jumat SMART, Serasa Desa, the fund, the packages and
    the findings of the year."""
    year = str(report.year)
    friday = _shown(words, _activities(report, friday=True))
    serasa = _shown(words, _activities(report, friday=False))
    groups = report.findings_groups
    top = Counter[str]()
    for g in groups:
        top[g.category] += g.total
    fund = {
        "donated": words.rupiah(report.donations_idr),
        "spent": words.rupiah(report.spent_idr),
        "procured": words.number(sum(int(m["packages_procured"]) for m in report.months)),
        "balance": words.rupiah(_closing(report)),
    }
    packages = {
        "packages": words.number(report.totals.get("packages", 0)),
        "value": words.rupiah(report.totals.get("value_idr", 0)),
        "households": words.number(report.totals.get("households_reached", 0)),
        "desa": words.number(sum(1 for d in report.desa if d.packages)),
    }
    found = {
        "count": words.number(sum(g.total for g in groups)),
        "open": words.number(sum(g.open for g in groups)),
        "top": words.code("category", top.most_common(1)[0][0]) if top else "-",
    }
    return [
        ("Jumat SMART", words("nar_jumat").format(year=year, **friday)),
        ("Serasa Desa", words("nar_serasa").format(trend=_trend(report), **serasa)),
        (words("fund"), words("nar_fund").format(**fund)),
        (words("packages"), words("nar_packages").format(**packages)),
        (words("findings"), words("nar_findings").format(year=year, **found)),
    ]
