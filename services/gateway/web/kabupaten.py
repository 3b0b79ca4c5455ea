"""The kabupaten page (every kecamatan side by side, sortable, charted, exported), the
province page (every kabupaten the deployment holds, one stream each) and the public
transparency page's kabupaten level."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request, Response

from services.gateway.auth import Claims, Role
from services.gateway.bridge import Call, ServiceUnavailable
from services.gateway.kabupaten import kabupaten_call, kabupaten_rows
from services.gateway.web.kabupaten_table import (
    CHART_ROWS,
    COLUMNS,
    XLSX,
    Row,
    Sort,
    as_csv,
    as_xlsx,
    comparisons,
    totals_of,
    with_rates,
)
from services.gateway.web.render import PUBLIC_S, Web, WebRoute, words_of, year_param
from services.gateway.web.wilayah import MAGETAN
from shared.clock import JAKARTA, jakarta_today
from shared.errors import Forbidden, InvalidInput
from shared.log.eventstore import EventStore
from shared.tenancy import STREAM_PREFIX, dot, kab_of_stream, undot

LOOK_BACK = 5
"""How many years before this one a page without `?tahun=` looks back for figures."""
AT_ONCE = 4
"""Kabupaten views the province page reads at a time: all of a province's at once queue
behind each other in the services and their pools (bench/kabupaten.py measures both)."""
KABUPATEN_NAMES = {undot(MAGETAN[0]): MAGETAN[1]}
Rows = Callable[[int], Awaitable[list[Row]]]


def kabupaten_name(kab: str) -> str:
    """Its reference name, else its code (with dots): the reference data names Magetan only."""
    return KABUPATEN_NAMES.get(kab, dot(kab))


def has_figures(rows: list[Row]) -> bool:
    return any(
        r["activities_scheduled"]
        or r["donations_idr"]
        or r["packages_distributed"]
        or r["findings"]
        for r in rows
    )


async def year_rows(request: Request, rows_of: Rows) -> tuple[int, list[Row]]:
    """The year `?tahun=` asks for, else the latest with figures (this year when none has)."""
    if "tahun" in request.query_params:
        year = year_param(request)
        return year, await rows_of(year)
    this_year = jakarta_today().year
    current: list[Row] | None = None
    for year in range(this_year, this_year - LOOK_BACK - 1, -1):
        found = await rows_of(year)
        if has_figures(found):
            return year, found
        current = found if current is None else current
    return this_year, current or []


def kabupaten_reader(web: Web, call: Call, *, coverage: bool, patient: bool = True) -> Rows:
    async def rows_of(year: int) -> list[Row]:
        found = await kabupaten_rows(web.bridge, call, year, coverage=coverage, patient=patient)
        return [with_rates(r) for r in found]

    return rows_of


@dataclass(frozen=True)
class Compared:
    """What a comparison page compares: its title, what a row is (`kecamatan` or
    `kabupaten`, its table's id and the rows' attribute), its file's name, and whether it
    counts coverage (every household read: the kabupaten page only)."""

    title: str
    unit: str
    file: str
    coverage: bool = False
    crumbs: bool = False

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        return tuple(c for c in COLUMNS if self.coverage or c[0] != "cakupan")


def export(request: Request, rows: list[Row], compared: Compared) -> Response | None:
    """`?format=csv|xlsx`: the table as a file; None for the page itself."""
    fmt = request.query_params.get("format")
    if fmt is None:
        return None
    words = words_of(request)
    if fmt == "csv":
        content, media = as_csv(words, rows), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        content, media = as_xlsx(words, rows, compared.file), XLSX
    else:
        raise InvalidInput("format", "Format tidak dikenal", "Unknown format")
    disposition = f'attachment; filename="{compared.file}.{fmt}"'
    return Response(content, media_type=media, headers={"Content-Disposition": disposition})


def compared_page(
    request: Request, claims: Claims, year: int, rows: list[Row], compared: Compared
) -> Response:
    """The table sorted as asked, its totals and charts, or its export."""
    web: Web = request.app.state.web
    sort = Sort.read(request.query_params)
    rows = sort.apply(rows)
    return export(request, rows, compared) or web.render(
        request,
        "kabupaten.html",
        claims=claims,
        compared=compared,
        year=year,
        rows=rows,
        totals=totals_of(rows),
        sort=sort,
        charts=comparisons(words_of(request), rows),
        chart_rows=CHART_ROWS,
    )


def kecamatan_links(kab: str, year: int, rows: list[Row]) -> list[Row]:
    return [
        {**r, "key": r["code"], "href": f"/dasbor/{kab}/{undot(r['code'])}?tahun={year}"}
        for r in rows
    ]


async def kabupaten_page(request: Request, kab: str) -> Response:
    web: Web = request.app.state.web
    claims = await web.claims(request)
    call = kabupaten_call(claims, kab, web.wait_for(request))
    year, rows = await year_rows(request, kabupaten_reader(web, call, coverage=True))
    words = words_of(request)
    compared = Compared(
        title=f"{words('kabupaten_view')} \u00b7 {words('kabupaten')} {kabupaten_name(kab)} {year}",
        unit="kecamatan",
        file=f"kabupaten-{kab}-{year}",
        coverage=True,
        crumbs=claims.kab is None,
    )
    return compared_page(request, claims, year, kecamatan_links(kab, year, rows), compared)


async def kabupaten_known(web: Web) -> list[str]:
    """The kabupaten the deployment holds: one stream each."""
    names = await EventStore(web.bridge.nc).stream_names()
    return [kab_of_stream(n) for n in names if n.startswith(STREAM_PREFIX)]


async def kabupaten_line(web: Web, claims: Claims, kab: str, year: int) -> Row | None:
    """One kabupaten's totals as a row of the province; None when no service serves it
    (known at once: a stream nobody serves must not hold up the whole province)."""
    read = kabupaten_reader(web, kabupaten_call(claims, kab), coverage=False, patient=False)
    try:
        rows = await read(year)
    except ServiceUnavailable:
        return None
    href = f"/dasbor/{kab}?tahun={year}"
    named = {"code": dot(kab), "name": kabupaten_name(kab), "key": kab, "href": href}
    return {**totals_of(rows), **named, "kecamatan": len(rows)}


async def province_page(request: Request) -> Response:
    """Every kabupaten side by side, each read through its own kabupaten view."""
    web: Web = request.app.state.web
    claims = await web.claims(request)
    if claims.kab is not None or claims.kec is not None or claims.desa is not None:
        raise Forbidden()
    kabs = await kabupaten_known(web)
    room = asyncio.Semaphore(AT_ONCE)

    async def line_of(kab: str, year: int) -> Row | None:
        async with room:
            return await kabupaten_line(web, claims, kab, year)

    async def rows_of(year: int) -> list[Row]:
        lines = [line for line in await asyncio.gather(*(line_of(k, year) for k in kabs)) if line]
        kabs[:] = [line["key"] for line in lines]
        return lines

    year, lines = await year_rows(request, rows_of)
    words = words_of(request)
    compared = Compared(
        title=f"{words('province_view')} {year}", unit="kabupaten", file=f"provinsi-{year}"
    )
    return compared_page(request, claims, year, lines, compared)


async def public_kabupaten(request: Request, kab: str) -> Response:
    """Totals only, per kecamatan, for anyone: the figures each kecamatan's own public page
    shows (money, packages, households reached, findings), never a person."""
    web: Web = request.app.state.web
    anyone = Claims(sub="publik", role=Role.AUDITOR, kab=kab, exp=int(time.time()) + PUBLIC_S)
    call = kabupaten_call(anyone, kab)
    year, rows = await year_rows(request, kabupaten_reader(web, call, coverage=False))
    return web.render(
        request,
        "transparency_kabupaten.html",
        kab=kab,
        kab_name=kabupaten_name(kab),
        year=year,
        rows=rows,
        totals=totals_of(rows),
        as_of=datetime.now(JAKARTA).strftime("%Y-%m-%d %H:%M WIB"),
    )


def build_kabupaten_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    router.add_api_route("/dasbor/provinsi", province_page, methods=["GET"])
    router.add_api_route("/dasbor/{kab}", kabupaten_page, methods=["GET"])
    router.add_api_route("/transparansi/{kab}", public_kabupaten, methods=["GET"])
    return router
