"""The year a page opens on: the one asked for, else the latest year that has figures."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import Request

from services.gateway.report.data import Fetch, summary
from services.gateway.web.render import year_param
from shared.clock import jakarta_today

TRIED = 3
"""How many candidate years are summed at most before the current year is taken."""


def has_figures(figures: dict[str, Any]) -> bool:
    """Anything happened in the year: an activity, a rupiah, a package or a finding."""
    year = str(figures.get("year"))
    activities = figures.get("activities", {})
    return bool(
        sum(activities.get("scheduled", {}).values())
        or figures.get("donations_idr")
        or figures.get("spent_idr")
        or figures.get("packages_distributed")
        or figures.get("findings_by_year", {}).get(year)
    )


async def candidate_years(fetch: Fetch, this_year: int) -> list[int]:
    """This year, then the years rounds and findings name, latest first (none after this)."""
    rounds, findings = await asyncio.gather(
        fetch("distribution", "rounds", {}), fetch("integrity", "findings_summary", {})
    )
    years = {int(r["month"][:4]) for r in rounds.get("rounds", [])}
    years |= {int(y) for y, n in findings.get("by_year", {}).items() if n}
    return sorted({this_year} | {y for y in years if y <= this_year}, reverse=True)


async def latest_summary(fetch: Fetch) -> tuple[int, dict[str, Any]]:
    """The latest year with figures and its summary, so a kecamatan's page never opens on a
    year of zeros while an earlier year has the programme's numbers."""
    this_year = jakarta_today().year
    first: dict[str, Any] | None = None
    for year in (await candidate_years(fetch, this_year))[:TRIED]:
        figures = await summary(fetch, year)
        if has_figures(figures):
            return year, figures
        first = first or (figures if year == this_year else None)
    return this_year, first or await summary(fetch, this_year)


async def year_summary(request: Request, fetch: Fetch) -> tuple[int, dict[str, Any]]:
    """The year `?tahun=` asks for (when given) and its summary, else the latest with figures."""
    if "tahun" in request.query_params:
        year = year_param(request)
        return year, await summary(fetch, year)
    return await latest_summary(fetch)


async def chosen_year(request: Request, fetch: Fetch) -> int:
    """`?tahun=` when it is given, else the latest year with figures."""
    if "tahun" in request.query_params:
        return year_param(request)
    return (await latest_summary(fetch))[0]
