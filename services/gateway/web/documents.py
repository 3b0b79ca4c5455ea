"""The dashboard's document downloads: the kuitansi of a donation, the BAST of a hand-out
and a round's recap, the month's SPJ, and the recipients-by-name workbook for the Dinas
Sosial (a POST with the form's CSRF token: each one is recorded in the log)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.auth import Role
from services.gateway.documents import Document
from services.gateway.documents.api import RECEIPT_ROLES
from services.gateway.documents.bast import bast_document, recap_document
from services.gateway.documents.receipt import receipt_document
from services.gateway.documents.recipients import recipients_document
from services.gateway.documents.settings import DocumentSettings
from services.gateway.documents.spj import spj_document
from services.gateway.report.data import reply_data
from services.gateway.web.forms import form_fields
from services.gateway.web.render import Area, WebRoute, int_param, open_page, year_param
from shared.clock import jakarta_today
from shared.errors import Forbidden, InvalidInput

PAGE = "/dasbor/{kab}/{kec}/dokumen"
EXPORT_ROLES = frozenset({Role.ADMIN, Role.CAMAT})
"""Who may take recipients' names out (shared.contracts.documents.EXPORTERS)."""
SPJ_ROLES = RECEIPT_ROLES | {Role.AUDITOR}
"""The books' SPJ: the treasury, and an auditor (figures only, no names)."""


def download(made: Document, inline: bool = False) -> Response:
    return Response(
        made.content,
        media_type=made.media,
        headers={"Content-Disposition": made.disposition(inline)},
    )


async def _area(
    request: Request, kab: str, kec: str, roles: frozenset[Role] | None, *, write: bool = False
) -> Area:
    _, area, _ = await open_page(request, kab, kec, write=write)
    if roles is not None and area.claims.role not in roles:
        raise Forbidden()
    return area


def by_id(make: Callable[..., Awaitable[Document]], roles: frozenset[Role] | None) -> Any:
    """A document of one id of the path, for the roles given (None: whoever sees the area)."""

    async def endpoint(request: Request, kab: str, kec: str, id: str) -> Response:
        area = await _area(request, kab, kec, roles)
        return download(await make(area.fetch, area.kab, area.kec, id, DocumentSettings()))

    return endpoint


async def spj(request: Request, kab: str, kec: str) -> Response:
    area = await _area(request, kab, kec, SPJ_ROLES)
    month = int_param(request, "bulan", jakarta_today().month, 1, 12)
    made = await spj_document(
        area.fetch, area.kab, area.kec, year_param(request), month, DocumentSettings()
    )
    return download(made)


def _desa(area: Area, raw: str | None) -> str | None:
    if not raw:
        return None
    if raw not in area.desa:
        raise InvalidInput("desa", "Desa tidak dikenal", "Unknown desa")
    return raw


async def recipients(request: Request, kab: str, kec: str) -> Response:
    """The workbook of names: the service records the export, then answers the rows."""
    area = await _area(request, kab, kec, EXPORT_ROLES, write=True)
    fields = await form_fields(request)
    year = int_param(request, "tahun", jakarta_today().year, 2000, 2100)
    if fields.get("tahun", "").isdigit():
        year = int(fields["tahun"])
    bridge = request.app.state.web.bridge

    async def send(service: str, rpc: str, body: Any, command_id: str) -> Any:
        reply = await bridge.rpc(area.call, service, rpc, body=body, command_id=command_id)
        return reply_data(reply)

    actor = f"{area.claims.role.value}:{area.claims.sub}"
    desa = _desa(area, fields.get("desa"))
    made = await recipients_document(area.fetch, send, area.kec, year, desa, actor)
    return download(made)


def build_documents_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    routes: list[tuple[str, Any, str]] = [
        ("/kuitansi/{id}", by_id(receipt_document, RECEIPT_ROLES), "GET"),
        ("/bast/{id}", by_id(bast_document, None), "GET"),
        ("/rekap-bast/{id}", by_id(recap_document, None), "GET"),
        ("/spj", spj, "GET"),
        ("/penerima", recipients, "POST"),
    ]
    for path, endpoint, method in routes:
        router.add_api_route(PAGE + path, endpoint, methods=[method])
    return router
