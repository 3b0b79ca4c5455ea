"""The dashboard's pages of one kecamatan: overview, rota, fund, distribution, findings, system."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.report.data import KINDS, summary
from services.gateway.web import charts
from services.gateway.web.i18n import Words
from services.gateway.web.render import Area, Web, WebRoute, int_param, words_of, year_param
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


def matrix(area: Area, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Packages per desa (rotation order) and month number, with the desa's year total."""
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        if area.own_desa and row["desa"] != area.own_desa:
            continue
        line = table.setdefault(row["desa"], {"desa": row["desa"], "months": {}, "total": 0})
        line["months"][int(row["month"][5:7])] = row["packages"]
        line["total"] += row["packages"]
    order = {code: i for i, code in enumerate(area.desa)}
    return sorted(table.values(), key=lambda r: (order.get(r["desa"], len(order)), r["desa"]))


def build_pages_router(web: Web) -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get(PAGE)
    async def overview(request: Request, kab: str, kec: str) -> Response:
        area, year, words = (
            await web.area(request, kab, kec),
            year_param(request),
            words_of(request),
        )
        figures = await summary(area.fetch, year)
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

    @router.get(PAGE + "/jadwal")
    async def rota(request: Request, kab: str, kec: str) -> Response:
        area, year = await web.area(request, kab, kec), year_param(request)
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
        )

    @router.get(PAGE + "/dana")
    async def fund(request: Request, kab: str, kec: str) -> Response:
        area, year, words = (
            await web.area(request, kab, kec),
            year_param(request),
            words_of(request),
        )
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
        )

    @router.get(PAGE + "/distribusi")
    async def distribution(request: Request, kab: str, kec: str) -> Response:
        area, year, words = (
            await web.area(request, kab, kec),
            year_param(request),
            words_of(request),
        )
        found, rounds, stock = await asyncio.gather(
            area.fetch("distribution", "distribution", {"year": year}),
            area.fetch("distribution", "rounds", {"year": year}),
            area.fetch("distribution", "stock", {}),
        )
        mine = area.own_desa
        coverage = [c for c in found["coverage"] if not mine or c["desa"] == mine]
        per_month = [0] * 12
        for row in found["rows"]:
            if not mine or row["desa"] == mine:
                per_month[int(row["month"][5:7]) - 1] += row["packages"]
        return web.render(
            request,
            "distribution.html",
            area=area,
            nav="distribution",
            year=year,
            totals=found["totals"],
            matrix=matrix(area, found["rows"]),
            coverage=coverage,
            rounds=[r for r in rounds["rounds"] if not mine or r["desa"] == mine],
            stock=stock,
            meter=charts.meter,
            months_chart=charts.bars(
                [words.month(m) for m in range(1, 13)],
                [charts.Series(words("packages"), per_month)],
                title=words("packages"),
            ),
        )

    @router.get(PAGE + "/temuan")
    async def findings(request: Request, kab: str, kec: str) -> Response:
        area, words = await web.area(request, kab, kec), words_of(request)
        found, open_ = await asyncio.gather(
            area.fetch("integrity", "findings_summary", {}),
            area.fetch("integrity", "open_findings", {}),
        )
        return web.render(
            request,
            "findings.html",
            area=area,
            nav="findings",
            s=found,
            open_findings=open_["findings"],
            findings_chart=findings_chart(words, found["by_year"]),
        )

    @router.get(PAGE + "/sistem")
    async def system(request: Request, kab: str, kec: str) -> Response:
        from services.gateway.app import service_health  # noqa: PLC0415 - app mounts this module

        area = await web.area(request, kab, kec)
        services = await service_health(web.bridge.nc)
        return web.render(request, "system.html", area=area, nav="system", services=services)

    return router
