"""`GET /api/v1/{kab}/summary`: every kecamatan of a kabupaten side by side, joined from
each service's one kabupaten-wide query, for callers whose area is the kabupaten or wider."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.gateway.auth import Claims, bearer, read_token
from services.gateway.bridge import Bridge, Call, parse_wait_for, reply_response
from services.gateway.openapi import contract_document
from services.gateway.report.data import reply_data
from shared.contracts.kabupaten import (
    FIGURES,
    KABUPATEN_BASE,
    PARTS,
    RPC,
    SUMMARY,
    Figures,
    KabupatenQuery,
    KabupatenSummary,
)
from shared.edge.rpc import invalid_reply
from shared.errors import Forbidden, NotFound

_KAB = re.compile(r"^[0-9]{4}$")
Row = dict[str, Any]
WIDE = (*FIGURES, "packages_value_idr", "eligible", "findings_previous_year")
"""A row's figures as the dashboard shows them: the contract's and the services' others."""


def kabupaten_of(kab: str) -> str:
    """A kabupaten's code of the path (4 digits); anything else names nothing (404)."""
    if not _KAB.match(kab):
        raise NotFound("kabupaten", kab[:20], "kabupaten")
    return kab


def check_kabupaten(claims: Claims, kab: str) -> None:
    """The whole kabupaten is for a token whose area is that kabupaten or wider (403 for one
    confined to a kecamatan or a desa, or to another kabupaten)."""
    if claims.kec is not None or claims.desa is not None:
        raise Forbidden()
    if claims.kab is not None and claims.kab != kab:
        raise Forbidden()


def kabupaten_call(claims: Claims, kab: str, wait_for: int | None = None) -> Call:
    """A kabupaten-wide call: no kecamatan, checked against the caller's area first."""
    check_kabupaten(claims, kabupaten_of(kab))
    return Call(claims, kab, "", wait_for, None, b"")


async def kabupaten_rows(
    bridge: Bridge, call: Call, year: int, *, coverage: bool = False, patient: bool = True
) -> list[Row]:
    """Every kecamatan that was PUT (the scheduler's rows, in code order), each with every
    figure the services count for it; a refusal of any service is raised as it came.
    `patient=False`: a kabupaten nobody serves is `ServiceUnavailable` at once."""
    params = {"year": year, "coverage": coverage}
    replies = await asyncio.gather(
        *(bridge.rpc(call, part.service, RPC, params=params, patient=patient) for part in PARTS)
    )
    scheduler, *others = (reply_data(reply)["kecamatan"] for reply in replies)
    found = [{r["code"]: r for r in rows} for rows in others]
    zeros: Row = {**dict.fromkeys(WIDE, 0), "eligible": None}
    return [
        {**zeros, **{k: v for part in found for k, v in part.get(row["code"], {}).items()}, **row}
        for row in scheduler
    ]


def summary_of(year: int, rows: list[Row]) -> KabupatenSummary:
    """The contract's answer: the rows' contract figures and their sums."""
    totals = {name: sum(int(r[name]) for r in rows) for name in FIGURES}
    return KabupatenSummary.model_validate(
        {"year": year, "kecamatan": rows, "totals": Figures.model_validate(totals)}
    )


def summary_endpoint(bridge: Bridge) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def kabupaten_summary(request: Request) -> JSONResponse:
        claims = read_token(bridge.secret, bearer(request.headers.get("authorization")))
        call = kabupaten_call(claims, request.path_params["kab"], parse_wait_for(request))
        try:
            year = KabupatenQuery.model_validate(dict(request.query_params)).year
        except ValidationError as exc:
            return reply_response(invalid_reply(exc))
        rows = await kabupaten_rows(bridge, call, year)
        return JSONResponse(summary_of(year, rows).model_dump(mode="json"))

    return kabupaten_summary


def build_kabupaten_router(bridge: Bridge) -> APIRouter:
    """Included before the kecamatan routes, whose `{kec}` would take `summary` for a code."""
    router = APIRouter(prefix=KABUPATEN_BASE, include_in_schema=False)
    router.add_api_route(SUMMARY.path, summary_endpoint(bridge), methods=[SUMMARY.method])
    return router


def with_kabupaten(doc: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with the kabupaten view's path: no `{kec}` in it."""
    part = contract_document([SUMMARY], KABUPATEN_BASE)
    for item in part["paths"].values():
        for operation in item.values():
            operation["parameters"] = [p for p in operation["parameters"] if p["name"] != "kec"]
    for key, values in part["components"].items():
        doc.setdefault("components", {}).setdefault(key, {}).update(values)
    return {**doc, "paths": {**doc.get("paths", {}), **part["paths"]}}
