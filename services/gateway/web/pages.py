"""The dashboard's pages of one kecamatan: overview, rota, fund, distribution, system."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.health import service_health
from services.gateway.report.data import KINDS
from services.gateway.web import charts
from services.gateway.web.fund_forms import fund_extras
from services.gateway.web.i18n import Words
from services.gateway.web.render import Area, WebRoute, int_param, open_page, year_param
from services.gateway.web.rota_forms import rota_extras
from services.gateway.web.years import chosen_year, year_summary
from shared.clock import jakarta_today

PAGE = "/dasbor/{kab}/{kec}"


def kinds_chart(words: Words, activities: dict[str, Any]) -> str:
    return charts.bars(
        [words.kind(k).split(" ")[0] for k in KINDS],
        [
            charts.Series(words("scheduled"), [activities["scheduled"][k] for k in KINDS], "s2"),
            charts.Series(words("held"), [activities["held"][k] for k in KINDS], "s1"),
        ],
        title=words("by_kind"),
    )


def findings_chart(words: Words, by_year: dict[str, int]) -> str:
    years = sorted(by_year)
    return charts.line(
        years,
        [charts.Series(words("findings"), [int(by_year[y]) for y in years], "s3")],
        title=words("per_year"),
    )


def fund_chart(words: Words, rows: list[dict[str, Any]]) -> str:
    months = [words.month(r["month"]) for r in rows]
    money = [
        charts.Series(words("donations_net"), [r["donations_idr"] for r in rows], "s1"),
        charts.Series(words("spent"), [r["spent_idr"] for r in rows], "s2"),
    ]
    return charts.bars(months, money, title=words("fund_over_time"), show_values=False)


def balance_chart(words: Words, rows: list[dict[str, Any]]) -> str:
    return charts.line(
        [words.month(r["month"]) for r in rows],
        [charts.Series(words("closing_balance"), [r["closing_balance_idr"] for r in rows])],
        title=words("closing_balance"),
        fmt=lambda v: f"{v / 1_000_000:.1f}".replace(".", "," if words.lang == "id" else "."),
    )


def visible(area: Area, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of every desa, or only the operator's own."""
    return [r for r in rows if not area.own_desa or r["desa"] == area.own_desa]


def months_chart(words: Words, rows: list[dict[str, Any]]) -> str:
    per_month = [0] * 12
    for row in rows:
        per_month[int(row["month"][5:7]) - 1] += row["packages"]
    return charts.bars(
        [words.month(m) for m in range(1, 13)],
        [charts.Series(words("packages"), per_month)],
        title=words("packages"),
    )


def matrix(area: Area, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Packages per desa (rotation order) and month number, with the desa's year total."""
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        line = table.setdefault(row["desa"], {"desa": row["desa"], "months": {}, "total": 0})
        line["months"][int(row["month"][5:7])] = row["packages"]
        line["total"] += row["packages"]
    order = {code: i for i, code in enumerate(area.desa)}
    return sorted(table.values(), key=lambda r: (order.get(r["desa"], len(order)), r["desa"]))


async def overview(request: Request, kab: str, kec: str) -> Response:
    web, area, words = await open_page(request, kab, kec)
    year, figures = await year_summary(request, area.fetch)
    return web.render(
        request,
        "overview.html",
        area=area,
        nav="overview",
        year=year,
        f=figures,
        kinds=KINDS,
        kinds_chart=kinds_chart(words, figures["activities"]),
        findings_chart=findings_chart(words, figures["findings_by_year"]),
    )


async def rota(request: Request, kab: str, kec: str) -> Response:
    web, area, _ = await open_page(request, kab, kec)
    year = year_param(request)
    month = int_param(request, "bulan", jakarta_today().month, 1, 12)
    found = await area.fetch("scheduler", "activities", {"year": year, "month": month})
    before, after = divmod(year * 12 + month - 2, 12), divmod(year * 12 + month, 12)
    return web.render(
        request,
        "rota.html",
        area=area,
        nav="rota",
        year=year,
        month=month,
        prev=(before[0], before[1] + 1),
        next=(after[0], after[1] + 1),
        activities=found["activities"],
        **await rota_extras(area),
    )


async def fund(request: Request, kab: str, kec: str) -> Response:
    web, area, words = await open_page(request, kab, kec)
    year = year_param(request)
    totals, recap, units = await asyncio.gather(
        area.fetch("donations", "fund", {}),
        area.fetch("donations", "recap", {"year": year}),
        area.fetch("donations", "units", {"year": year}),
    )
    return web.render(
        request,
        "fund.html",
        area=area,
        nav="fund",
        year=year,
        fund=totals,
        months=recap["rows"],
        units=units["units"],
        fund_chart=fund_chart(words, recap["rows"]),
        balance_chart=balance_chart(words, recap["rows"]),
        **await fund_extras(area),
    )


async def distribution(request: Request, kab: str, kec: str) -> Response:
    web, area, words = await open_page(request, kab, kec)
    year = await chosen_year(request, area.fetch)
    found, rounds, stock = await asyncio.gather(
        area.fetch("distribution", "distribution", {"year": year}),
        area.fetch("distribution", "rounds", {"year": year}),
        area.fetch("distribution", "stock", {}),
    )
    rows = visible(area, found["rows"])
    return web.render(
        request,
        "distribution.html",
        area=area,
        nav="distribution",
        year=year,
        totals=found["totals"],
        matrix=matrix(area, rows),
        coverage=visible(area, found["coverage"]),
        rounds=visible(area, rounds["rounds"]),
        stock=stock,
        meter=charts.meter,
        months_chart=months_chart(words, rows),
    )


async def system(request: Request, kab: str, kec: str) -> Response:
    web, area, _ = await open_page(request, kab, kec)
    services = await service_health(web.bridge.nc)
    return web.render(request, "system.html", area=area, nav="system", services=services)


PAGES = {
    "": overview,
    "/jadwal": rota,
    "/dana": fund,
    "/distribusi": distribution,
    "/sistem": system,
}


def build_pages_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    for suffix, page in PAGES.items():
        router.add_api_route(PAGE + suffix, page, methods=["GET"])
    return router
