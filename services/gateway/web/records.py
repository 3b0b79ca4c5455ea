"""The SKK report downloads and the public transparency page."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request, Response
from nats.aio.client import Client as NATS

from services.gateway.auth import Role
from services.gateway.report import FORMATS, render
from services.gateway.report.data import gather
from services.gateway.web.pages import findings_chart, fund_chart, months_chart
from services.gateway.web.render import Area, Web, WebRoute, open_page, words_of, year_param
from services.gateway.web.years import year_summary
from shared.audit.logdigest import KeptDigest, latest_checkpoint
from shared.clock import JAKARTA
from shared.errors import Forbidden, InvalidInput
from shared.log.eventstore import EventStore

PAGE = "/dasbor/{kab}/{kec}"
REPORT_ROLES = (Role.ADMIN, Role.CAMAT, Role.BENDAHARA, Role.AUDITOR)


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
    sep = "," if request.query_params.get("pemisah") == "," else ";"
    content, media, filename = render(found, fmt, words_of(request), sep)
    shown = "inline" if fmt == "html" else "attachment"
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'{shown}; filename="{filename}"'},
    )


@dataclass(frozen=True)
class SignedDigest:
    """The log's latest signed checkpoint as the public page shows it, for anyone to keep."""

    digest: KeptDigest
    signed_at: str
    public_key: str


async def signed_digest(nc: NATS, kab: str) -> SignedDigest | None:
    found = await latest_checkpoint(EventStore(nc), kab)
    if found is None:
        return None
    event, checkpoint = found
    at = event.envelope.recorded_at.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M WIB")
    return SignedDigest(KeptDigest.of(kab, checkpoint), at, checkpoint.public_key)


async def transparency(request: Request, kab: str, kec: str) -> Response:
    """Totals only, for anyone: the fund, packages, households reached, findings, their
    charts by month and year (counts and sums, never a person); the time the figures were
    read; and the latest signed digest of the kabupaten's log, so anyone can keep a copy."""
    web: Web = request.app.state.web
    words = words_of(request)
    area = await web.public_area(kab, kec)
    (year, figures), fund, signed = await asyncio.gather(
        year_summary(request, area.fetch),
        area.fetch("donations", "fund", {}),
        signed_digest(web.bridge.nc, area.kab),
    )
    recap, handed = await asyncio.gather(
        area.fetch("donations", "recap", {"year": year}),
        area.fetch("distribution", "distribution", {"year": year}),
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
        signed=signed,
        fund_chart=fund_chart(words, recap["rows"]),
        packages_chart=months_chart(words, handed["rows"]),
        findings_chart=findings_chart(words, figures["findings_by_year"]),
        as_of=datetime.now(JAKARTA).strftime("%Y-%m-%d %H:%M WIB"),
    )


def build_records_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    router.add_api_route(PAGE + "/laporan", report_page, methods=["GET"])
    router.add_api_route(PAGE + "/laporan/unduh", report_file, methods=["GET"])
    router.add_api_route("/transparansi/{kab}/{kec}", transparency, methods=["GET"])
    return router
