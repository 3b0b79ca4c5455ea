"""The contract's paths under /api/v1/{kab}/{kec}, each mapped onto one service RPC."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from fastapi import APIRouter, Query, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer

from services.gateway.auth import (
    Role,
    check_desa,
    check_import_rows,
    operator_writes_allowed,
)
from services.gateway.bridge import Bridge, Call, reply_response
from services.gateway.schemas import operation_extra
from shared.errors import Forbidden, InvalidInput

Guard = Callable[[Bridge, Call, dict[str, Any]], Awaitable[None]]
UNKNOWN_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]
YEAR = Query(ge=2000, le=2100, description="Calendar year")
MONTH = Query(ge=1, le=12, description="Month of the year")
WAIT = Query(None, ge=0, description="Log position to catch up to first (read-your-writes)")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    service: str
    rpc: str
    summary: str
    guard: Guard | None = None
    query: tuple[str, ...] = ()


async def _desa_in_body(bridge: Bridge, call: Call, params: dict[str, Any]) -> None:
    if call.claims.role is Role.OPERATOR:
        desa = call.body.get("desa") if isinstance(call.body, dict) else None
        check_desa(call.claims, desa if isinstance(desa, str) else None)


async def _household_desa(bridge: Bridge, call: Call, params: dict[str, Any]) -> None:
    if call.claims.role is Role.OPERATOR:
        reply = await bridge.rpc(call, "distribution", "household_get", params=params, body={})
        check_desa(call.claims, (reply.data or {}).get("desa") if reply.ok else None)


async def _desa_of_round(bridge: Bridge, call: Call, round_id: str) -> str | None:
    reply = await bridge.rpc(call, "distribution", "rounds", body={})
    rounds = (reply.data or {}).get("rounds", []) if reply.ok else []
    return next((r.get("desa") for r in rounds if r.get("round_id") == round_id), None)


async def _round_desa(bridge: Bridge, call: Call, params: dict[str, Any]) -> None:
    """An operator's round must be of its desa; a round just opened is looked for again
    once the distribution service has caught up with the log's head."""
    if call.claims.role is Role.OPERATOR:
        desa = await _desa_of_round(bridge, call, params["id"])
        if desa is None:
            head = replace(call, wait_for=await bridge.log_head(call.kab))
            desa = await _desa_of_round(bridge, head, params["id"])
        check_desa(call.claims, desa)


SCHED, FUND, DIST, INTEGRITY = "scheduler", "donations", "distribution", "integrity"
ROUTES: tuple[Route, ...] = (
    Route("PUT", "", SCHED, "kecamatan_put", "Set up or update the kecamatan"),
    Route("GET", "", SCHED, "kecamatan_get", "The kecamatan, its desa and units"),
    Route("POST", "/schedule", SCHED, "schedule", "Schedule a month of activities"),
    Route(
        "GET", "/activities", SCHED, "activities", "A month's activities", None, ("year", "month")
    ),
    Route("POST", "/activities/{id}/held", SCHED, "activity_held", "Record a held activity"),
    Route("POST", "/activities/{id}/cancel", SCHED, "activity_cancel", "Cancel an activity"),
    Route("POST", "/donations", FUND, "donation_receive", "Receive a donation"),
    Route("POST", "/donations/{id}/void", FUND, "donation_void", "Void a donation"),
    Route("POST", "/procurements", FUND, "procure", "Procure sembako packages"),
    Route("GET", "/fund", FUND, "fund", "The fund's totals and balance"),
    Route("POST", "/households", DIST, "household_register", "Register a household", _desa_in_body),
    Route("GET", "/households/{id}", DIST, "household_get", "A masked household", _household_desa),
    Route(
        "POST",
        "/households/{id}/aid",
        DIST,
        "household_aid",
        "Change a household's aid",
        _household_desa,
    ),
    Route(
        "DELETE",
        "/households/{id}",
        DIST,
        "household_forget",
        "Forget a household (its personal data is shredded)",
        _household_desa,
    ),
    Route("POST", "/rounds", DIST, "round_open", "Open a desa's round of a month", _desa_in_body),
    Route(
        "GET",
        "/rounds/{id}/suggestions",
        DIST,
        "round_suggestions",
        "Households suggested for a round",
        _round_desa,
    ),
    Route(
        "POST",
        "/rounds/{id}/packages",
        DIST,
        "package_hand_out",
        "Hand a package to a household",
        _round_desa,
    ),
    Route("POST", "/rounds/{id}/close", DIST, "round_close", "Close a round", _round_desa),
    Route(
        "GET", "/distribution", DIST, "distribution", "Packages per desa and month", None, ("year",)
    ),
    Route("POST", "/findings", INTEGRITY, "finding_record", "Record a finding"),
    Route(
        "POST", "/findings/{id}/follow-up", INTEGRITY, "finding_follow_up", "Follow a finding up"
    ),
    Route("POST", "/findings/{id}/resolve", INTEGRITY, "finding_resolve", "Resolve a finding"),
    Route("POST", "/findings/{id}/dismiss", INTEGRITY, "finding_dismiss", "Dismiss a finding"),
    Route("GET", "/findings/summary", INTEGRITY, "findings_summary", "Findings counts"),
)


def _resource(path: str) -> str:
    return path.strip("/").split("/")[0] if path else "kecamatan"


def _handler(
    bridge: Bridge, route: Route
) -> Callable[[Request, str, str], Awaitable[JSONResponse]]:
    async def handle(request: Request, kab: str, kec: str) -> JSONResponse:
        call = await bridge.begin(request, kab, kec)
        if request.method != "GET":
            operator_writes_allowed(call.claims, _resource(route.path))
            if route.path == "" and call.claims.role not in (Role.ADMIN, Role.CAMAT):
                raise Forbidden()
        params: dict[str, Any] = {
            k: v for k, v in request.path_params.items() if k not in ("kab", "kec")
        }
        for name in route.query:
            if name in request.query_params:
                params[name] = request.query_params[name]
        if route.guard is not None:
            await route.guard(bridge, call, params)
        return await bridge.forward(request, call, route.service, route.rpc, params)

    return handle


def _endpoint(bridge: Bridge, route: Route) -> Callable[..., Awaitable[JSONResponse]]:
    """A function whose signature documents the route's path and query parameters."""
    handle = _handler(bridge, route)
    endpoint: Callable[..., Awaitable[JSONResponse]]
    wait = WAIT

    if "{id}" in route.path:

        async def with_id(
            request: Request,
            kab: str,
            kec: str,
            id: str,
            wait_for: int | None = wait,
        ) -> JSONResponse:
            return await handle(request, kab, kec)

        endpoint = with_id
    elif route.query == ("year", "month"):

        async def with_month(
            request: Request,
            kab: str,
            kec: str,
            year: int = YEAR,
            month: int = MONTH,
            wait_for: int | None = wait,
        ) -> JSONResponse:
            return await handle(request, kab, kec)

        endpoint = with_month
    elif route.query == ("year",):

        async def with_year(
            request: Request,
            kab: str,
            kec: str,
            year: int = YEAR,
            wait_for: int | None = wait,
        ) -> JSONResponse:
            return await handle(request, kab, kec)

        endpoint = with_year
    else:

        async def plain(
            request: Request, kab: str, kec: str, wait_for: int | None = wait
        ) -> JSONResponse:
            return await handle(request, kab, kec)

        endpoint = plain
    endpoint.__name__ = f"{route.rpc}_{route.method.lower()}"
    return endpoint


def import_endpoint(bridge: Bridge) -> Callable[..., Awaitable[JSONResponse]]:
    async def households_import(
        request: Request, kab: str, kec: str, wait_for: int | None = WAIT
    ) -> JSONResponse:
        call = await bridge.begin(request, kab, kec, json_body=False)
        text = await csv_text(request, call.raw_body)
        call.raw_body = text.encode()
        check_import_rows(call.claims, text)
        return await bridge.forward(
            request, call, "distribution", "household_import", body={"csv": text}
        )

    return households_import


async def csv_text(request: Request, raw: bytes) -> str:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidInput(
                "file",
                "Berkas CSV (field 'file') tidak ada",
                "The CSV file (field 'file') is missing",
            )
        raw = await upload.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("file", "Berkas harus UTF-8", "The file must be UTF-8") from None


def summary_endpoint(bridge: Bridge) -> Callable[..., Awaitable[JSONResponse]]:
    async def summary(
        request: Request,
        kab: str,
        kec: str,
        year: int = YEAR,
        wait_for: int | None = WAIT,
    ) -> JSONResponse:
        call = await bridge.begin(request, kab, kec)
        services = (SCHED, FUND, DIST, INTEGRITY)
        replies = await asyncio.gather(
            *(bridge.rpc(call, s, "summary", params={"year": year}) for s in services)
        )
        merged: dict[str, Any] = {}
        for reply in replies:
            if not reply.ok:
                return reply_response(reply)
            merged.update(reply.data or {})
        return JSONResponse({**merged, "year": year})

    return summary


def build_router(bridge: Bridge) -> APIRouter:
    bearer_doc = Security(HTTPBearer(auto_error=False, description="smart token"))
    router = APIRouter(prefix="/api/v1/{kab}/{kec}", dependencies=[bearer_doc])
    router.add_api_route(
        "/households/import",
        import_endpoint(bridge),
        methods=["POST"],
        summary="Import a registry CSV export",
        status_code=200,
        openapi_extra=operation_extra("POST", "/households/import"),
    )
    router.add_api_route(
        "/summary",
        summary_endpoint(bridge),
        methods=["GET"],
        summary="The year's figures of every programme",
    )
    for route in ROUTES:
        router.add_api_route(
            route.path,
            _endpoint(bridge, route),
            methods=[route.method],
            summary=route.summary,
            openapi_extra=operation_extra(route.method, route.path),
            tags=[route.service],
        )
    for path in ("/{rest:path}", "{rest:path}"):
        router.add_api_route(
            path, bridge.unknown_path, methods=UNKNOWN_METHODS, include_in_schema=False
        )
    return router
