"""Findings (temuan): the counts and the open ones; record one, follow it up, resolve, dismiss."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.web.forms import done, filled, form_fields, send, typed
from services.gateway.web.households import require, writes
from services.gateway.web.pages import findings_chart
from services.gateway.web.plain import form_errors
from services.gateway.web.render import Area, WebRoute, open_page
from shared.clock import jakarta_today
from shared.errors import NotFound
from shared.events.integrity import (
    SANCTIONS,
    FindingCategory,
    FindingSeverity,
    FindingSource,
    SubjectType,
)

PAGE = "/dasbor/{kab}/{kec}/temuan"
RECORD_FIELDS = (
    "unit",
    "category",
    "severity",
    "found_on",
    "source",
    "description",
    "visit_id",
    "subject_type",
    "official",
)
ACTIONS = {
    "tindak-lanjut": ("followUpFinding", ("action", "sanction"), "finding_followed_up"),
    "selesai": ("resolveFinding", ("action",), "finding_resolved"),
    "tolak": ("dismissFinding", ("reason",), "finding_dismissed"),
}
"""The path of each action on an open finding: its operation, its fields, its notice."""


async def findings(request: Request, kab: str, kec: str) -> Response:
    web, area, words = await open_page(request, kab, kec)
    found, still_open = await asyncio.gather(
        area.fetch("integrity", "findings_summary", {}),
        area.fetch("integrity", "open_findings", {}),
    )
    return web.render(
        request,
        "findings.html",
        area=area,
        nav="findings",
        s=found,
        open_findings=still_open["findings"],
        findings_chart=findings_chart(words, found["by_year"]),
        categories=[c.value for c in FindingCategory],
        severities=[s.value for s in FindingSeverity],
        subjects=[s.value for s in SubjectType],
        may_record=writes(area, "recordFinding"),
    )


async def visits_near(area: Area) -> list[dict[str, Any]]:
    """The Serasa Desa visits held this year and last, latest first, to link a finding to."""
    this_year = jakarta_today().year
    years = await asyncio.gather(
        *(area.fetch("integrity", "visits", {"year": y}) for y in (this_year, this_year - 1))
    )
    held = [v for year in years for v in year.get("visits", [])]
    return sorted(held, key=lambda v: str(v["held_on"]), reverse=True)


async def show_record_form(
    request: Request, area: Area, values: dict[str, str], errors: dict[str, str], status: int
) -> Response:
    kecamatan, visits = await asyncio.gather(
        area.fetch("scheduler", "kecamatan_get", {}), visits_near(area)
    )
    return request.app.state.web.render(  # type: ignore[no-any-return]
        request,
        "finding_new.html",
        status,
        area=area,
        nav="findings",
        units=kecamatan.get("units", []),
        visits=visits,
        categories=list(FindingCategory),
        severities=list(FindingSeverity),
        sources=list(FindingSource),
        subjects=list(SubjectType),
        values=values,
        errors=errors,
    )


async def new_finding(request: Request, kab: str, kec: str) -> Response:
    _, area, _ = await open_page(request, kab, kec, write=True)
    require(area, "recordFinding")
    values = {"found_on": jakarta_today().isoformat(), "source": FindingSource.SERASA_DESA.value}
    return await show_record_form(request, area, values, {}, 200)


async def record_finding(request: Request, kab: str, kec: str) -> Response:
    _, area, words = await open_page(request, kab, kec, write=True)
    op = require(area, "recordFinding")
    fields = await form_fields(request)
    values = typed(fields, RECORD_FIELDS)
    body = filled(values)
    sent = await send(request, area, op.service, op.rpc, body)
    if not sent.ok:
        errors = form_errors(sent, words, {name: name for name in RECORD_FIELDS})
        return await show_record_form(request, area, values, errors, sent.status)
    return done(request, f"{area.base}/temuan", "finding_recorded", sent.position)


async def open_finding(area: Area, id: str) -> dict[str, Any]:
    still_open = await area.fetch("integrity", "open_findings", {})
    found = next((f for f in still_open["findings"] if f["finding_id"] == id), None)
    if found is None:
        raise NotFound("Temuan terbuka", id, "Open finding")
    return found  # type: ignore[no-any-return]


async def show_finding(
    request: Request,
    area: Area,
    id: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    found = await open_finding(area, id)
    subject, severity = SubjectType(found["subject_type"]), FindingSeverity(found["severity"])
    return request.app.state.web.render(  # type: ignore[no-any-return]
        request,
        "finding.html",
        status,
        area=area,
        nav="findings",
        f=found,
        sanctions=[s.value for s in SANCTIONS[(subject, severity)]],
        village=subject is not SubjectType.ASN,
        may_act={path: writes(area, op) for path, (op, _, _) in ACTIONS.items()},
        values=values or {},
        errors=errors or {},
        failed=request.url.path.rsplit("/", 1)[-1] if errors else None,
    )


async def finding_page(request: Request, kab: str, kec: str, id: str) -> Response:
    _, area, _ = await open_page(request, kab, kec)
    return await show_finding(request, area, id)


async def act_on_finding(request: Request, kab: str, kec: str, id: str, action: str) -> Response:
    """Follow up, resolve or dismiss the open finding of the path."""
    if action not in ACTIONS:
        raise NotFound("Alamat", action, "Path")
    operation_id, names, notice = ACTIONS[action]
    _, area, words = await open_page(request, kab, kec, write=True)
    op = require(area, operation_id)
    fields = await form_fields(request)
    values = typed(fields, names)
    body = filled(values)
    sent = await send(request, area, op.service, op.rpc, body, params={"id": id})
    if not sent.ok:
        errors = form_errors(sent, words, {name: name for name in names})
        return await show_finding(request, area, id, values, errors, sent.status)
    back = f"{area.base}/temuan/{id}" if action == "tindak-lanjut" else f"{area.base}/temuan"
    return done(request, back, notice, sent.position)


def build_findings_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    router.add_api_route(PAGE, findings, methods=["GET"])
    router.add_api_route(PAGE + "/baru", new_finding, methods=["GET"])
    router.add_api_route(PAGE + "/baru", record_finding, methods=["POST"])
    router.add_api_route(PAGE + "/{id}", finding_page, methods=["GET"])
    router.add_api_route(PAGE + "/{id}/{action}", act_on_finding, methods=["POST"])
    return router
