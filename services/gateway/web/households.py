"""Households: find them (NIK's last digits, desa, initials), add one, change it (desa, desil,
registry, name, members) or its aid, forget it."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from services.gateway.web.forms import (
    FORM_ERROR,
    done,
    filled,
    form_fields,
    may_write,
    optional,
    send,
    typed,
    whole,
)
from services.gateway.web.listing import Search, find
from services.gateway.web.plain import form_errors
from services.gateway.web.render import Area, WebRoute, open_page
from shared.clock import jakarta_today
from shared.contracts import Operation, operations
from shared.errors import Forbidden
from shared.events.distribution import Aid, Registry
from shared.tenancy import dot

PAGE = "/dasbor/{kab}/{kec}/rumah-tangga"
REGISTER_FIELDS = ("no_kk", "nik", "name", "desa", "address", "desil", "registry", "snapshot_date")


@cache
def operation(operation_id: str) -> Operation:
    return next(op for op in operations() if op.operation_id == operation_id)


def writes(area: Area, operation_id: str) -> bool:
    return may_write(area.claims, operation(operation_id).writers)


def require(area: Area, operation_id: str) -> Operation:
    op = operation(operation_id)
    if not may_write(area.claims, op.writers):
        raise Forbidden()
    return op


def chosen_desa(request: Request, area: Area) -> str | None:
    """An operator's own desa; for others the one asked for, if it reads as a code."""
    asked = area.own_desa or request.query_params.get("desa") or ""
    return dot(asked) if asked.replace(".", "").isdigit() else None


def aid_chosen(form: FormData) -> list[str]:
    """The ticked aid boxes, each once, in the contract's order."""
    ticked = set(form.getlist("aid"))
    return [a.value for a in Aid if a.value in ticked]


async def households(request: Request, kab: str, kec: str) -> Response:
    web, area, _ = await open_page(request, kab, kec)
    desa = chosen_desa(request, area)
    found = await area.fetch("distribution", "households", {"desa": desa} if desa else {})
    search = Search.read(request.query_params)
    page = find(found["households"], search, list(area.desa))
    here = {"desa": desa} if desa and not area.own_desa else {}
    return web.render(
        request,
        "households.html",
        area=area,
        nav="households",
        chosen=desa,
        search=search,
        page=page,
        link=lambda **changes: "?" + urlencode({**here, **search.query(**changes)}),
        may_add=writes(area, "registerHousehold"),
    )


def desa_choices(area: Area) -> dict[str, str]:
    """The desa a viewer may write in: an operator's own, everyone else's every one."""
    if area.own_desa:
        return {area.own_desa: area.desa.get(area.own_desa, area.own_desa)}
    return area.desa


def register_form(
    request: Request, area: Area, values: dict[str, Any], errors: dict[str, str], status: int
) -> Response:
    return request.app.state.web.render(  # type: ignore[no-any-return]
        request,
        "household_new.html",
        status,
        area=area,
        nav="households",
        desa_choices=desa_choices(area),
        aids=list(Aid),
        registries=list(Registry),
        values=values,
        errors=errors,
    )


async def new_household(request: Request, kab: str, kec: str) -> Response:
    _, area, _ = await open_page(request, kab, kec, write=True)
    require(area, "registerHousehold")
    today = jakarta_today().isoformat()
    values = {"snapshot_date": today, "registry": Registry.DTSEN.value, "aid": []}
    return register_form(request, area, values, {}, 200)


async def add_household(request: Request, kab: str, kec: str) -> Response:
    _, area, words = await open_page(request, kab, kec, write=True)
    op = require(area, "registerHousehold")
    fields, form = await form_fields(request), await request.form()
    values: dict[str, Any] = {**typed(fields, REGISTER_FIELDS), "aid": aid_chosen(form)}
    body = filled(values)
    if "desil" in body:
        body["desil"] = whole(body["desil"])
    sent = await send(request, area, op.service, op.rpc, body)
    if not sent.ok:
        fields_of = {name: name for name in (*REGISTER_FIELDS, "aid")}
        return register_form(
            request, area, values, form_errors(sent, words, fields_of), sent.status
        )
    household = sent.data["household_id"]
    return done(request, f"{area.base}/rumah-tangga/{household}", "household_added", sent.position)


async def show_household(
    request: Request,
    area: Area,
    id: str,
    errors: dict[str, str],
    status: int = 200,
    values: dict[str, Any] | None = None,
) -> Response:
    found = await area.fetch("distribution", "household_get", {"id": id})
    members = await area.fetch("distribution", "household_members", {"id": id})
    return request.app.state.web.render(  # type: ignore[no-any-return]
        request,
        "household.html",
        status,
        area=area,
        nav="households",
        h=found,
        members=members["members"],
        aids=list(Aid),
        today=jakarta_today().isoformat(),
        may_change=writes(area, "changeHouseholdAid") and not found["forgotten"],
        may_edit=writes(area, "changeHousehold") and not found["forgotten"],
        desa_choices=desa_choices(area),
        registries=list(Registry),
        may_forget=writes(area, "forgetHousehold") and not found["forgotten"],
        errors=errors,
        values=values or {},
    )


async def household_page(request: Request, kab: str, kec: str, id: str) -> Response:
    _, area, _ = await open_page(request, kab, kec)
    return await show_household(request, area, id, {})


async def change_aid(request: Request, kab: str, kec: str, id: str) -> Response:
    _, area, words = await open_page(request, kab, kec, write=True)
    op = require(area, "changeHouseholdAid")
    fields, form = await form_fields(request), await request.form()
    body = {"aid": aid_chosen(form), "as_of": fields.get("as_of", "").strip()}
    sent = await send(request, area, op.service, op.rpc, body, params={"id": id})
    if not sent.ok:
        errors = form_errors(sent, words, {"aid": "aid", "as_of": "as_of"})
        return await show_household(request, area, id, errors, sent.status, body)
    return done(request, f"{area.base}/rumah-tangga/{id}", "aid_changed", sent.position)


CHANGE_FIELDS = ("desa", "desil", "registry", "snapshot_date", "name", "address")


def members_typed(text: str) -> list[dict[str, str]]:
    """One member a line, `NIK Nama` or `NIK:Nama` (what the import's `anggota` takes)."""
    found = []
    for line in (raw.strip() for raw in text.splitlines()):
        if line:
            nik, _, name = line.replace(":", " ", 1).partition(" ")
            found.append({"nik": nik.strip(), "name": name.strip()})
    return found


def change_body(fields: dict[str, str]) -> dict[str, Any]:
    """The fields filled in (empty: unchanged); members when typed, or cleared when asked."""
    body: dict[str, Any] = {n: v for n in CHANGE_FIELDS if (v := fields.get(n, "").strip())}
    if "desil" in body:
        body["desil"] = whole(body["desil"])
    if optional(fields.get("members_clear")) == "ya":
        body["members"] = []
    elif optional(fields.get("members")):
        body["members"] = members_typed(fields["members"])
    return body


async def change_household(request: Request, kab: str, kec: str, id: str) -> Response:
    """PATCH /households/{id} from the page: what is filled in changes, the rest stays."""
    _, area, words = await open_page(request, kab, kec, write=True)
    op = require(area, "changeHousehold")
    fields = await form_fields(request)
    body = change_body(fields)
    sent = await send(request, area, op.service, op.rpc, body, params={"id": id})
    if not sent.ok:
        named = (*CHANGE_FIELDS, "members")
        errors = form_errors(sent, words, {n: n for n in named})
        if FORM_ERROR in errors:
            errors["edit_form"] = errors.pop(FORM_ERROR)
        values = {n: fields.get(n, "") for n in (*named, "members_clear")}
        return await show_household(request, area, id, errors, sent.status, values)
    return done(request, f"{area.base}/rumah-tangga/{id}", "household_changed", sent.position)


async def confirm_forget(request: Request, kab: str, kec: str, id: str) -> Response:
    web, area, _ = await open_page(request, kab, kec, write=True)
    require(area, "forgetHousehold")
    found = await area.fetch("distribution", "household_get", {"id": id})
    return web.render(request, "household_forget.html", area=area, nav="households", h=found)


async def forget(request: Request, kab: str, kec: str, id: str) -> Response:
    web, area, words = await open_page(request, kab, kec, write=True)
    op = require(area, "forgetHousehold")
    if optional((await form_fields(request)).get("confirm")) != "ya":
        return await confirm_forget(request, kab, kec, id)
    sent = await send(request, area, op.service, op.rpc, {}, params={"id": id})
    if not sent.ok:
        errors = form_errors(sent, words, {})
        found = await area.fetch("distribution", "household_get", {"id": id})
        return web.render(
            request, "household_forget.html", sent.status, area=area, h=found, errors=errors
        )
    return done(request, f"{area.base}/rumah-tangga", "household_forgotten", sent.position)


def build_households_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    router.add_api_route(PAGE, households, methods=["GET"])
    router.add_api_route(PAGE + "/baru", new_household, methods=["GET"])
    router.add_api_route(PAGE + "/baru", add_household, methods=["POST"])
    router.add_api_route(PAGE + "/{id}", household_page, methods=["GET"])
    router.add_api_route(PAGE + "/{id}/bantuan", change_aid, methods=["POST"])
    router.add_api_route(PAGE + "/{id}/ubah", change_household, methods=["POST"])
    router.add_api_route(PAGE + "/{id}/lupakan", confirm_forget, methods=["GET"])
    router.add_api_route(PAGE + "/{id}/lupakan", forget, methods=["POST"])
    return router
