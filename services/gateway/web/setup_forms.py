"""Setting up the kecamatan: its name, its desa in rotation order, its units, the 5th Friday
and local days off. Dropping a desa or a unit that is in use is refused here, saying why."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.auth import check_area, check_writer
from services.gateway.bridge import Call, tenant_of
from services.gateway.web.forms import done, field_errors, form_fields, send
from services.gateway.web.i18n import Words
from services.gateway.web.render import Area, Web, WebRoute, bridge_fetch, words_of
from shared.contracts.base import WRITERS
from shared.contracts.scheduler import FRIDAY_KINDS
from shared.errors import DomainError

PAGE = "/dasbor/{kab}/{kec}/pengaturan"
FIELDS = {
    "name": "name",
    "desa": "desa",
    "units": "units",
    "fifth_friday": "fifth_friday",
    "days_off": "days_off",
    "code": "name",
}
_SPLIT = re.compile(r"\s*[;,\t]\s*|\s+")


async def setup_area(
    request: Request, kab: str, kec: str
) -> tuple[Web, Area, dict[str, Any] | None]:
    """The kecamatan for one who may set it up; its current set-up, None before the first."""
    web: Web = request.app.state.web
    claims = await web.claims(request)
    kab, kec = tenant_of(kab, kec)
    check_area(claims, kab, kec, write=True)
    check_writer(claims, WRITERS)
    call = Call(claims, kab, kec, web.wait_for(request), None, b"")
    fetch = bridge_fetch(web.bridge, call)
    try:
        current = await fetch("scheduler", "kecamatan_get", {})
    except DomainError as exc:
        if exc.status != 404:
            raise
        current = None
    names = {d["code"]: d["name"] for d in current["desa"]} if current else {}
    return web, Area(claims, call, fetch, current["name"] if current else kec, names), current


def as_values(current: dict[str, Any] | None) -> dict[str, str]:
    if current is None:
        return {}
    return {
        "name": current["name"],
        "desa": "\n".join(f"{d['code']} {d['name']}" for d in current["desa"]),
        "units": "\n".join(current["units"]),
        "fifth_friday": current.get("fifth_friday") or "",
        "days_off": "\n".join(f"{d['date']} {d['name']}" for d in current.get("days_off", [])),
    }


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _pairs(text: str) -> list[dict[str, str]]:
    """`35.20.05.2001 Balerejo` per line (a space, tab, comma or semicolon after the code)."""
    pairs = []
    for line in _lines(text):
        head, *rest = _SPLIT.split(line, maxsplit=1)
        pairs.append({"code": head, "name": rest[0].strip() if rest else ""})
    return pairs


def body_of(fields: dict[str, str]) -> dict[str, Any]:
    days = [{"date": p["code"], "name": p["name"]} for p in _pairs(fields.get("days_off", ""))]
    return {
        "name": fields.get("name", "").strip(),
        "desa": _pairs(fields.get("desa", "")),
        "units": _lines(fields.get("units", "")),
        "fifth_friday": fields.get("fifth_friday") or None,
        "days_off": days,
    }


async def in_use(
    area: Area, current: dict[str, Any], body: dict[str, Any], words: Words
) -> dict[str, str]:
    """Why a dropped desa or unit cannot go: it hosted activities, has households or rounds,
    or gave donations (the records that name it stay in the log)."""
    kept_desa = {str(d["code"]).replace(".", "") for d in body["desa"]}
    dropped = [d for d in current["desa"] if d["code"].replace(".", "") not in kept_desa]
    gone_units = [u for u in current["units"] if u not in set(body["units"])]
    errors: dict[str, str] = {}
    if dropped:
        rotation, rounds = await asyncio.gather(
            area.fetch("scheduler", "rotation", {}), area.fetch("distribution", "rounds", {})
        )
        reasons = []
        for desa in dropped:
            hosted = sum(
                t["turns"]
                for kind in rotation["rotation"]
                for t in kind["desa"]
                if t["code"] == desa["code"]
            )
            found = await area.fetch("distribution", "households", {"desa": desa["code"]})
            households = len(found["households"])
            opened = sum(1 for r in rounds["rounds"] if r["desa"] == desa["code"])
            if hosted or households or opened:
                reasons.append(
                    words("desa_in_use").format(
                        name=desa["name"], hosted=hosted, households=households, rounds=opened
                    )
                )
        if reasons:
            errors["desa"] = " ".join(reasons)
    if gone_units:
        given = await area.fetch("donations", "units", {})
        counts = {u["unit"]: u["donations"] for u in given["units"]}
        busy = [
            words("unit_in_use").format(unit=u, n=counts[u]) for u in gone_units if counts.get(u)
        ]
        if busy:
            errors["units"] = " ".join(busy)
    return errors


def _render(
    web: Web,
    request: Request,
    area: Area,
    current: dict[str, Any] | None,
    status: int = 200,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    return web.render(
        request,
        "setup.html",
        status,
        area=area if current else None,
        claims=area.claims,
        kec_code=area.kec,
        base=area.base,
        nav="setup",
        configured=current is not None,
        kinds=FRIDAY_KINDS,
        errors=errors or {},
        values=values if values is not None else as_values(current),
    )


async def setup_view(request: Request, kab: str, kec: str) -> Response:
    web, area, current = await setup_area(request, kab, kec)
    return _render(web, request, area, current)


async def setup_save(request: Request, kab: str, kec: str) -> Response:
    web, area, current = await setup_area(request, kab, kec)
    words = words_of(request)
    fields = await form_fields(request)
    body = body_of(fields)
    errors = await in_use(area, current, body, words) if current else {}
    if not errors:
        sent = await send(request, area, "scheduler", "kecamatan_put", body)
        if sent.ok:
            notice = "setup_saved" if current else "setup_created"
            return done(request, f"{area.base}/jadwal", notice, sent.position)
        errors = field_errors(sent, words, FIELDS)
        status = sent.status
    else:
        status = 409
    return _render(web, request, area, current, status, errors=errors, values=fields)


def build_setup_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    router.add_api_route(PAGE, setup_view, methods=["GET"])
    router.add_api_route(PAGE, setup_save, methods=["POST"])
    return router
