"""Households (masked), the registry import, the SKK report downloads and the public page."""

from __future__ import annotations

import asyncio
from functools import cache

from fastapi import APIRouter, Request, Response

from services.gateway.auth import Role, check_writer
from services.gateway.report import FORMATS, render
from services.gateway.report.data import gather, reply_data, summary
from services.gateway.routes import csv_text
from services.gateway.web.render import Area, Web, WebRoute, open_page, words_of, year_param
from shared.contracts import Operation, operations
from shared.errors import Forbidden, InvalidInput
from shared.tenancy import dot

PAGE = "/dasbor/{kab}/{kec}"
REPORT_ROLES = (Role.ADMIN, Role.CAMAT, Role.AUDITOR)


@cache
def import_operation() -> Operation:
    """The API's household import, whose writers may import here too."""
    return next(op for op in operations() if op.operation_id == "importHouseholds")


def chosen_desa(request: Request, area: Area) -> str | None:
    """An operator's own desa; for others the one asked for, if it reads as a code."""
    asked = area.own_desa or request.query_params.get("desa") or ""
    return dot(asked) if asked.replace(".", "").isdigit() else None


async def households(request: Request, kab: str, kec: str) -> Response:
    web, area, _ = await open_page(request, kab, kec)
    desa = chosen_desa(request, area)
    found = await area.fetch("distribution", "households", {"desa": desa} if desa else {})
    return web.render(
        request,
        "households.html",
        area=area,
        nav="households",
        chosen=desa,
        households=found["households"],
    )


async def import_form(request: Request, kab: str, kec: str) -> Response:
    web, area, _ = await open_page(request, kab, kec, write=True)
    check_writer(area.claims, import_operation().writers)
    return web.render(request, "import.html", area=area, nav="import", result=None)


async def import_file(request: Request, kab: str, kec: str) -> Response:
    """The same import as the API's, by the signed-in user; the answer per line."""
    web, area, _ = await open_page(request, kab, kec, write=True)
    op = import_operation()
    check_writer(area.claims, op.writers)
    text = await csv_text(request, b"")
    reply = await web.bridge.rpc(area.call, op.service, op.rpc, body={"csv": text})
    return web.render(request, "import.html", area=area, nav="import", result=reply_data(reply))


async def report_area(request: Request, kab: str, kec: str) -> tuple[Web, Area]:
    web, area, _ = await open_page(request, kab, kec)
    if area.claims.role not in REPORT_ROLES:
        raise Forbidden()
    return web, area


async def report_page(request: Request, kab: str, kec: str) -> Response:
    web, area = await report_area(request, kab, kec)
    year = year_param(request)
    return web.render(request, "report.html", area=area, nav="report", year=year, formats=FORMATS)


async def report_file(request: Request, kab: str, kec: str) -> Response:
    web, area = await report_area(request, kab, kec)
    fmt = request.query_params.get("format", "pdf")
    if fmt not in FORMATS:
        raise InvalidInput("format", "Format tidak dikenal", "Unknown format")
    found = await gather(area.fetch, web.bridge.nc, area.kab, area.kec, year_param(request))
    content, media, filename = render(found, fmt, words_of(request))
    shown = "inline" if fmt == "html" else "attachment"
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'{shown}; filename="{filename}"'},
    )


async def transparency(request: Request, kab: str, kec: str) -> Response:
    """Totals only, for anyone: the fund, packages, households reached, findings."""
    web: Web = request.app.state.web
    area, year = await web.public_area(kab, kec), year_param(request)
    figures, fund = await asyncio.gather(
        summary(area.fetch, year), area.fetch("donations", "fund", {})
    )
    return web.render(
        request,
        "transparency.html",
        public=area,
        year=year,
        fund=fund,
        packages=figures["packages_distributed"],
        packages_value=figures["packages_value_idr"],
        households=figures["households_reached"],
        findings=int(figures["findings_by_year"].get(str(year), 0)),
    )


def build_records_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    router.add_api_route(PAGE + "/rumah-tangga", households, methods=["GET"])
    router.add_api_route(PAGE + "/impor", import_form, methods=["GET"])
    router.add_api_route(PAGE + "/impor", import_file, methods=["POST"])
    router.add_api_route(PAGE + "/laporan", report_page, methods=["GET"])
    router.add_api_route(PAGE + "/laporan/unduh", report_file, methods=["GET"])
    router.add_api_route("/transparansi/{kab}/{kec}", transparency, methods=["GET"])
    return router
