"""Households (masked), the registry import, the SKK report downloads and the public page."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response

from services.gateway.auth import Forbidden, Role, operator_writes_allowed
from services.gateway.report import FORMATS, render
from services.gateway.report.data import gather, reply_data, summary
from services.gateway.routes import _csv_text, _operator_import_guard
from services.gateway.web.render import Web, WebRoute, words_of, year_param
from shared.errors import InvalidInput
from shared.tenancy import dot

PAGE = "/dasbor/{kab}/{kec}"
REPORT_ROLES = (Role.ADMIN, Role.CAMAT, Role.AUDITOR)


def build_records_router(web: Web) -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get(PAGE + "/rumah-tangga")
    async def households(request: Request, kab: str, kec: str) -> Response:
        area = await web.area(request, kab, kec)
        chosen = area.own_desa or request.query_params.get("desa") or None
        chosen = dot(chosen) if chosen and chosen.replace(".", "").isdigit() else None
        params = {"desa": chosen} if chosen else {}
        found = await area.fetch("distribution", "households", params)
        return web.render(
            request,
            "households.html",
            area=area,
            nav="households",
            chosen=chosen,
            households=found["households"],
        )

    @router.get(PAGE + "/impor")
    async def import_form(request: Request, kab: str, kec: str) -> Response:
        area = await web.area(request, kab, kec, write=True)
        operator_writes_allowed(area.claims, "households")
        return web.render(request, "import.html", area=area, nav="import", result=None)

    @router.post(PAGE + "/impor")
    async def import_file(request: Request, kab: str, kec: str) -> Response:
        area = await web.area(request, kab, kec, write=True)
        operator_writes_allowed(area.claims, "households")
        text = await _csv_text(request, b"")
        _operator_import_guard(area.call, text)
        result = reply_data(
            await web.bridge.rpc(area.call, "distribution", "household_import", body={"csv": text})
        )
        return web.render(request, "import.html", area=area, nav="import", result=result)

    @router.get(PAGE + "/laporan")
    async def report_page(request: Request, kab: str, kec: str) -> Response:
        area = await web.area(request, kab, kec)
        if area.claims.role not in REPORT_ROLES:
            raise Forbidden()
        return web.render(
            request,
            "report.html",
            area=area,
            nav="report",
            year=year_param(request),
            formats=FORMATS,
        )

    @router.get(PAGE + "/laporan/unduh")
    async def report_file(request: Request, kab: str, kec: str) -> Response:
        area = await web.area(request, kab, kec)
        if area.claims.role not in REPORT_ROLES:
            raise Forbidden()
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

    @router.get("/transparansi/{kab}/{kec}")
    async def transparency(request: Request, kab: str, kec: str) -> Response:
        area = await web.public_area(kab, kec)
        year = year_param(request)
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

    return router
