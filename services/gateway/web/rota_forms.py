"""The scheduler's forms: schedule a month, hold, cancel or move an activity; the rota page's
extras (who may plan, the charity Fridays that still need a round)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.auth import check_writer
from services.gateway.web.forms import (
    done,
    field_errors,
    form_fields,
    may_write,
    optional,
    send,
    whole,
)
from services.gateway.web.render import Area, WebRoute, open_page
from shared.clock import jakarta_today
from shared.contracts.base import WRITERS
from shared.contracts.scheduler import ActivityStatus
from shared.errors import NotFound

PAGE = "/dasbor/{kab}/{kec}"
ACTIVITY = PAGE + "/jadwal/kegiatan/{id}"
HOLD_FIELDS = {
    "held_on": "held_on",
    "attendance.officials": "officials",
    "attendance.residents": "residents",
    "attendance": "officials",
    "notes": "notes",
}
MOVE_FIELDS = {"date": "date", "reason": "move_reason"}


def month_url(area: Area, year: int, month: int) -> str:
    return f"{area.base}/jadwal?tahun={year}&bulan={month}"


async def rota_extras(area: Area) -> dict[str, Any]:
    """What the rota page adds for its viewer: the plan button, and the rounds a held charity
    Friday made due that nobody opened yet."""
    due = await area.fetch("distribution", "rounds_due", {})
    rows = [r for r in due["rounds_due"] if not area.own_desa or r["desa"] == area.own_desa]
    return {"may_plan": may_write(area.claims, WRITERS), "rounds_due": rows}


def _period(fields: dict[str, str]) -> tuple[Any, Any]:
    return whole(fields.get("tahun")), whole(fields.get("bulan"))


async def schedule_month(request: Request, kab: str, kec: str) -> Response:
    web, area, words = await open_page(request, kab, kec, write=True)
    check_writer(area.claims, WRITERS)
    fields = await form_fields(request)
    year, month = _period(fields)
    sent = await send(request, area, "scheduler", "schedule", {"year": year, "month": month})
    if isinstance(year, int) and isinstance(month, int) and 1 <= month <= 12:
        back = month_url(area, year, month)
    else:
        back = f"{area.base}/jadwal"
    if not sent.ok:
        text = next(iter(field_errors(sent, words, {}).values()))
        return web.render(request, "error.html", sent.status, area=area, message=text, code="")
    count = len(sent.data.get("activities", [])) if isinstance(sent.data, dict) else 0
    return done(request, back, "scheduled_ok", sent.position, str(count))


async def _activity(
    area: Area, request: Request, activity_id: str
) -> tuple[dict[str, Any], int, int]:
    """The activity of the path, found in the month the rota page named (`tahun`, `bulan`)."""
    values = {
        **request.query_params,
        **(await form_fields(request) if request.method == "POST" else {}),
    }
    year, month = whole(values.get("tahun")), whole(values.get("bulan"))
    if (
        isinstance(year, int)
        and isinstance(month, int)
        and 2000 <= year <= 2100
        and 1 <= month <= 12
    ):
        found = await area.fetch("scheduler", "activities", {"year": year, "month": month})
        for activity in found["activities"]:
            if activity["id"] == activity_id:
                return activity, year, month
    raise NotFound("Kegiatan", activity_id[:40], "Activity")


async def activity_view(request: Request, kab: str, kec: str, id: str) -> Response:
    return await activity_page(request, kab, kec, id)


async def activity_page(
    request: Request,
    kab: str,
    kec: str,
    activity_id: str,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """An activity and, while it is scheduled, its three forms: held, cancel, move."""
    web, area, _ = await open_page(request, kab, kec)
    activity, year, month = await _activity(area, request, activity_id)
    today = jakarta_today()
    held_on = min(date.fromisoformat(str(activity["date"])), today)  # never a day to come
    typed = {"held_on": str(held_on), "date": str(activity["date"]), **(values or {})}
    return web.render(
        request,
        "activity.html",
        status,
        area=area,
        nav="rota",
        activity=activity,
        year=year,
        month=month,
        open=activity["status"] == ActivityStatus.SCHEDULED.value,
        may_write=may_write(area.claims, WRITERS),
        today=today.isoformat(),
        errors=errors or {},
        values=typed,
    )


async def _act(
    request: Request,
    kab: str,
    kec: str,
    activity_id: str,
    rpc: str,
    body: dict[str, Any],
    *,
    fields: dict[str, str],
    general: str,
    notice: str,
) -> Response:
    _, area, words = await open_page(request, kab, kec, write=True)
    check_writer(area.claims, WRITERS)
    _, year, month = await _activity(area, request, activity_id)
    sent = await send(request, area, "scheduler", rpc, body, params={"id": activity_id})
    if sent.ok:
        return done(request, month_url(area, year, month), notice, sent.position)
    errors = field_errors(sent, words, fields, general)
    typed = await form_fields(request)
    return await activity_page(
        request, kab, kec, activity_id, status=sent.status, errors=errors, values=typed
    )


async def hold(request: Request, kab: str, kec: str, id: str) -> Response:
    f = await form_fields(request)
    body = {
        "held_on": f.get("held_on", ""),
        "attendance": {
            "officials": whole(f.get("officials")),
            "residents": whole(f.get("residents")),
        },
        "notes": optional(f.get("notes")),
    }
    return await _act(
        request,
        kab,
        kec,
        id,
        "activity_held",
        body,
        fields=HOLD_FIELDS,
        general="_hold",
        notice="held_ok",
    )


async def cancel(request: Request, kab: str, kec: str, id: str) -> Response:
    f = await form_fields(request)
    return await _act(
        request,
        kab,
        kec,
        id,
        "activity_cancel",
        {"reason": optional(f.get("reason"))},
        fields={"reason": "reason"},
        general="_cancel",
        notice="cancelled_ok",
    )


async def reschedule(request: Request, kab: str, kec: str, id: str) -> Response:
    f = await form_fields(request)
    body = {"date": f.get("date", ""), "reason": optional(f.get("move_reason"))}
    return await _act(
        request,
        kab,
        kec,
        id,
        "activity_reschedule",
        body,
        fields=MOVE_FIELDS,
        general="_move",
        notice="moved_ok",
    )


def build_rota_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    router.add_api_route(PAGE + "/jadwal/susun", schedule_month, methods=["POST"])
    router.add_api_route(ACTIVITY, activity_view, methods=["GET"])
    router.add_api_route(ACTIVITY + "/terlaksana", hold, methods=["POST"])
    router.add_api_route(ACTIVITY + "/batal", cancel, methods=["POST"])
    router.add_api_route(ACTIVITY + "/pindah", reschedule, methods=["POST"])
    return router
