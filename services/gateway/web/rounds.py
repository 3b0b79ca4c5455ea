"""Hand-out rounds: open one, hand packages to the suggested households in order, close it."""

from __future__ import annotations

import asyncio
import calendar
from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.web.forms import done, filled, form_fields, send, typed, whole
from services.gateway.web.households import desa_choices, require, writes
from services.gateway.web.pages import visible
from services.gateway.web.plain import form_errors
from services.gateway.web.render import Area, WebRoute, int_param, open_page
from shared.clock import jakarta_today
from shared.errors import NotFound

PAGE = "/dasbor/{kab}/{kec}/putaran"
OPEN_FIELDS = {"desa": "desa", "month": "month", "quota": "quota"}


def year_of(request: Request, rounds: list[dict[str, Any]]) -> int:
    """`?tahun=`, else the latest year that has a round, else this year."""
    latest = max((int(r["month"][:4]) for r in rounds), default=jakarta_today().year)
    return int_param(request, "tahun", latest, 2000, 2100)


def month_days(month: str) -> tuple[date, date]:
    """The first and the last day of a `YYYY-MM` month."""
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def hand_out_day(month: str, asked: str | None) -> str:
    """The day packages are recorded as handed out: the one asked, if in the round's month;
    else today, kept inside the month."""
    first, last = month_days(month)
    try:
        day = date.fromisoformat(asked or "")
    except ValueError:
        day = min(max(jakarta_today(), first), last)
    return (day if first <= day <= last else min(max(jakarta_today(), first), last)).isoformat()


async def show_rounds(
    request: Request,
    area: Area,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    every, due, stock = await asyncio.gather(
        area.fetch("distribution", "rounds", {}),
        area.fetch("distribution", "rounds_due", {}),
        area.fetch("distribution", "stock", {}),
    )
    rounds = visible(area, every["rounds"])
    year = year_of(request, rounds)
    asked = request.query_params
    return request.app.state.web.render(  # type: ignore[no-any-return]
        request,
        "rounds.html",
        status,
        area=area,
        nav="rounds_tab",
        year=year,
        rounds=[r for r in rounds if r["month"].startswith(f"{year}-")],
        due=visible(area, due["rounds_due"]),
        stock=stock,
        may_open=writes(area, "openRound"),
        desa_choices=desa_choices(area),
        values=values
        or {
            "desa": asked.get("desa", area.own_desa or ""),
            "month": asked.get("bulan", jakarta_today().isoformat()[:7]),
        },
        errors=errors or {},
    )


async def rounds_page(request: Request, kab: str, kec: str) -> Response:
    _, area, _ = await open_page(request, kab, kec)
    return await show_rounds(request, area)


async def open_round(request: Request, kab: str, kec: str) -> Response:
    _, area, words = await open_page(request, kab, kec, write=True)
    op = require(area, "openRound")
    fields = await form_fields(request)
    values = typed(fields, OPEN_FIELDS)
    body = filled(values)
    if "quota" in body:
        body["quota"] = whole(body["quota"])
    sent = await send(request, area, op.service, op.rpc, body)
    if not sent.ok:
        errors = form_errors(sent, words, OPEN_FIELDS)
        return await show_rounds(request, area, values, errors, sent.status)
    return done(
        request, f"{area.base}/putaran/{sent.data['round_id']}", "round_opened", sent.position
    )


async def show_round(
    request: Request, area: Area, id: str, errors: dict[str, str] | None = None, status: int = 200
) -> Response:
    every, stock, handed = await asyncio.gather(
        area.fetch("distribution", "rounds", {}),
        area.fetch("distribution", "stock", {}),
        area.fetch("distribution", "packages", {"round_id": id}),
    )
    found = next((r for r in visible(area, every["rounds"]) if r["round_id"] == id), None)
    if found is None:
        raise NotFound("Putaran", id, "Round")
    open_ = not found["closed"]
    suggestions = await area.fetch("distribution", "round_suggestions", {"id": id}) if open_ else {}
    return request.app.state.web.render(  # type: ignore[no-any-return]
        request,
        "round.html",
        status,
        area=area,
        nav="rounds_tab",
        r=found,
        stock=stock,
        packages=handed["packages"],
        suggestions=suggestions.get("suggestions", []),
        day=hand_out_day(found["month"], request.query_params.get("tanggal")),
        month_days=[d.isoformat() for d in month_days(found["month"])],
        full=found["packages"] >= found["quota"],
        may_hand_out=open_ and writes(area, "handOutPackage"),
        may_close=open_ and writes(area, "closeRound"),
        errors=errors or {},
    )


async def round_page(request: Request, kab: str, kec: str, id: str) -> Response:
    _, area, _ = await open_page(request, kab, kec)
    return await show_round(request, area, id)


async def hand_out(request: Request, kab: str, kec: str, id: str) -> Response:
    _, area, words = await open_page(request, kab, kec, write=True)
    op = require(area, "handOutPackage")
    fields = await form_fields(request)
    body: dict[str, Any] = {
        "household_id": fields.get("household_id", "").strip(),
        "distributed_on": fields.get("distributed_on", "").strip(),
        "received_by": received_by(fields),
    }
    sent = await send(request, area, op.service, op.rpc, body, params={"id": id})
    if not sent.ok:
        errors = form_errors(sent, words, {})
        return await show_round(request, area, id, errors, sent.status)
    back = f"{area.base}/putaran/{id}?tanggal={body['distributed_on']}"
    return done(request, back, "package_handed_out_bast", sent.position, sent.data["bast_no"])


def received_by(fields: dict[str, str]) -> dict[str, str]:
    """Who took the package, as the row's form says: the head unless another is chosen."""
    chosen = {"relation": fields.get("relation", "").strip() or "SENDIRI"}
    name = fields.get("received_name", "").strip()
    return chosen | ({"name": name} if name else {})


async def close_round(request: Request, kab: str, kec: str, id: str) -> Response:
    _, area, words = await open_page(request, kab, kec, write=True)
    op = require(area, "closeRound")
    sent = await send(request, area, op.service, op.rpc, {}, params={"id": id})
    if not sent.ok:
        return await show_round(request, area, id, form_errors(sent, words, {}), sent.status)
    return done(request, f"{area.base}/putaran/{id}", "round_closed", sent.position)


def build_rounds_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    router.add_api_route(PAGE, rounds_page, methods=["GET"])
    router.add_api_route(PAGE, open_round, methods=["POST"])
    router.add_api_route(PAGE + "/{id}", round_page, methods=["GET"])
    router.add_api_route(PAGE + "/{id}/paket", hand_out, methods=["POST"])
    router.add_api_route(PAGE + "/{id}/tutup", close_round, methods=["POST"])
    return router
