"""A hand-out's page (its BAST number, who received it, its evidence, an upload form) and
the stock page (its figures and the adjustment form)."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.limits import FileTooLarge
from services.gateway.routes import uploaded
from services.gateway.web.forms import done, filled, form_fields, send, typed, whole
from services.gateway.web.households import require, writes
from services.gateway.web.plain import form_errors
from services.gateway.web.render import Area, WebRoute, open_page
from shared.clock import jakarta_today
from shared.contracts.distribution import EVIDENCE_MAX_BYTES
from shared.errors import DomainError

PAGE = "/dasbor/{kab}/{kec}/paket/{id}"
EVIDENCE = PAGE + "/bukti"
STOCK = "/dasbor/{kab}/{kec}/stok"
ADJUST_FIELDS = {"packages": "packages", "reason": "reason", "adjusted_on": "adjusted_on"}


async def show_package(
    request: Request,
    area: Area,
    id: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    found = await area.fetch("distribution", "package_get", {"id": id})
    return request.app.state.web.render(  # type: ignore[no-any-return]
        request,
        "package.html",
        status,
        area=area,
        nav="rounds_tab",
        p=found,
        may_attach=writes(area, "attachPackageEvidence"),
        errors=errors or {},
    )


async def package_page(request: Request, kab: str, kec: str, id: str) -> Response:
    _, area, _ = await open_page(request, kab, kec)
    return await show_package(request, area, id)


async def attach(request: Request, kab: str, kec: str, id: str) -> Response:
    """The upload (multipart, with the form's CSRF token) sent as the API sends it; a file
    past the limit is said on the page (the page reads up to the import limit)."""
    _, area, words = await open_page(request, kab, kec, write=True)
    op = require(area, "attachPackageEvidence")
    try:
        data = await uploaded(request, "")
        if len(data) > EVIDENCE_MAX_BYTES:
            raise FileTooLarge(EVIDENCE_MAX_BYTES)
    except DomainError as refused:
        errors = {"file": words.pick(refused.message, refused.message_en)}
        return await show_package(request, area, id, errors, refused.status)
    body = {"file": base64.b64encode(data).decode()}
    sent = await send(request, area, op.service, op.rpc, body, params={"id": id})
    if not sent.ok:
        errors = form_errors(sent, words, {"file": "file"})
        return await show_package(request, area, id, errors, sent.status)
    return done(request, f"{area.base}/paket/{id}", "evidence_attached", sent.position)


async def show_stock(
    request: Request,
    area: Area,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    stock = await area.fetch("distribution", "stock", {})
    return request.app.state.web.render(  # type: ignore[no-any-return]
        request,
        "stock.html",
        status,
        area=area,
        nav="rounds_tab",
        stock=stock,
        may_adjust=writes(area, "adjustStock"),
        values=values or {"adjusted_on": jakarta_today().isoformat()},
        errors=errors or {},
    )


async def stock_page(request: Request, kab: str, kec: str) -> Response:
    _, area, _ = await open_page(request, kab, kec)
    return await show_stock(request, area)


def signed(text: str) -> int | str:
    """A whole number typed with its sign ("-3", "+2", "5"); other text stays text, so the
    service refuses it next to its field."""
    sign = -1 if text.startswith("-") else 1
    number = whole(text.lstrip("+-"))
    return sign * number if isinstance(number, int) else text


async def adjust(request: Request, kab: str, kec: str) -> Response:
    _, area, words = await open_page(request, kab, kec, write=True)
    op = require(area, "adjustStock")
    fields = await form_fields(request)
    values = typed(fields, ADJUST_FIELDS)
    body = filled(values)
    if "packages" in body:
        body["packages"] = signed(body["packages"])
    sent = await send(request, area, op.service, op.rpc, body)
    if not sent.ok:
        errors = form_errors(sent, words, ADJUST_FIELDS)
        return await show_stock(request, area, values, errors, sent.status)
    return done(request, f"{area.base}/stok", "stock_adjusted", sent.position)


def build_packages_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    router.add_api_route(PAGE, package_page, methods=["GET"])
    router.add_api_route(EVIDENCE, attach, methods=["POST"])
    router.add_api_route(STOCK, stock_page, methods=["GET"])
    router.add_api_route(STOCK, adjust, methods=["POST"])
    return router
