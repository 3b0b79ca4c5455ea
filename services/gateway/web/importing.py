"""The import page: the registry import (a template to download, every allowed value and the
SIKS-NG / DTSEN headers it also reads, each line's answer) and the aid-list import."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.routes import csv_text
from services.gateway.web.forms import FORM_ERROR, filled, form_fields, send, typed
from services.gateway.web.households import desa_choices, require, writes
from services.gateway.web.i18n import Words
from services.gateway.web.plain import about_field, plain_rejections
from services.gateway.web.render import Area, WebRoute, open_page
from shared.clock import jakarta_today
from shared.contracts.distribution import AID_PROGRAMS, IMPORT_ALIASES, RegisterHousehold
from shared.errors import DomainError
from shared.events.distribution import Aid, Registry

PAGE = "/dasbor/{kab}/{kec}/impor"
COLUMNS = tuple(RegisterHousehold.model_fields)
"""The import's columns: the JSON field names of a registration (CONTRACT.md, Import)."""
TEMPLATE_NAME = "templat-impor-rumah-tangga.csv"


def aliases() -> dict[str, list[str]]:
    """Each column and the export headers also read as it (the column's own name left out)."""
    found: dict[str, list[str]] = {}
    for header, name in IMPORT_ALIASES.items():
        if header != name:
            found.setdefault(name, []).append(header.upper())
    return found


def render_import(
    request: Request,
    area: Area,
    result: dict[str, Any] | None,
    errors: dict[str, str],
    status: int = 200,
    aid_result: dict[str, Any] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    return request.app.state.web.render(  # type: ignore[no-any-return]
        request,
        "import.html",
        status,
        area=area,
        nav="import",
        result=result,
        errors=errors,
        columns=COLUMNS,
        aids=list(Aid),
        registries=list(Registry),
        desa_choices=desa_choices(area),
        aliases=aliases(),
        programs=list(AID_PROGRAMS),
        may_import_aid=writes(area, "importAidList"),
        aid_result=aid_result,
        values=values or {"as_of": jakarta_today().isoformat()},
    )


def refusal(error: dict[str, Any] | None, words: Words) -> str:
    """Why the whole file was refused, in words: another desa's lines, or what the service says."""
    error = error or {}
    if error.get("code") == "FORBIDDEN":
        return words("import_other_desa")
    message = words.pick(str(error.get("message", "")), str(error.get("message_en", "")))
    if error.get("field") not in (None, "file", "csv", "body"):
        return about_field(str(error["field"]), message, words)
    return message


async def import_form(request: Request, kab: str, kec: str) -> Response:
    _, area, _ = await open_page(request, kab, kec, write=True)
    require(area, "importHouseholds")
    return render_import(request, area, None, {})


async def import_file(request: Request, kab: str, kec: str) -> Response:
    """The same import as the API's, by the signed-in user; the answer per line, in words.
    The answer is shown at once (not redirected): it is the list of lines to fix."""
    _, area, words = await open_page(request, kab, kec, write=True)
    op = require(area, "importHouseholds")
    try:
        text = await csv_text(request, b"")
    except DomainError as exc:
        return render_import(
            request, area, None, {FORM_ERROR: words.pick(exc.message, exc.message_en)}, exc.status
        )
    sent = await send(request, area, op.service, op.rpc, {"csv": text})
    if not sent.ok:
        return render_import(
            request, area, None, {FORM_ERROR: refusal(sent.error, words)}, sent.status
        )
    result = {
        "accepted": sent.data["accepted"],
        "rejected": plain_rejections(sent.data["rejected"], words),
    }
    return render_import(request, area, result, {}, 200)


async def import_template(request: Request, kab: str, kec: str) -> Response:
    """The CSV the import takes, its header only (nothing to import by mistake)."""
    _, area, _ = await open_page(request, kab, kec, write=True)
    require(area, "importHouseholds")
    return Response(
        ",".join(COLUMNS) + "\r\n",
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{TEMPLATE_NAME}"'},
    )


async def import_aid_list(request: Request, kab: str, kec: str) -> Response:
    """POST /households/aid-import from the page: the list's counts and its refused lines."""
    _, area, words = await open_page(request, kab, kec, write=True)
    op = require(area, "importAidList")
    fields = await form_fields(request)
    values = typed(fields, ("program", "as_of", "source"))
    try:
        text = await csv_text(request, b"")
    except DomainError as exc:
        errors = {"aid_form": words.pick(exc.message, exc.message_en)}
        return render_import(request, area, None, errors, exc.status, values=values)
    body = filled(values) | {"csv": text}
    sent = await send(request, area, op.service, op.rpc, body)
    if not sent.ok:
        errors = {"aid_form": refusal(sent.error, words)}
        return render_import(request, area, None, errors, sent.status, values=values)
    aid_result = {
        "matched": sent.data["matched"],
        "unmatched": sent.data["unmatched"],
        "rejected": plain_rejections(sent.data["rejected"], words),
    }
    return render_import(request, area, None, {}, 200, aid_result, values)


def build_import_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    router.add_api_route(PAGE, import_form, methods=["GET"])
    router.add_api_route(PAGE, import_file, methods=["POST"])
    router.add_api_route(PAGE + "/templat.csv", import_template, methods=["GET"])
    router.add_api_route(PAGE + "/bantuan", import_aid_list, methods=["POST"])
    return router
