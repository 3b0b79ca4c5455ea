"""The contract's two PDF paths: `GET /packages/{id}/bast.pdf` and
`GET /donations/{id}/receipt.pdf`, served as `application/pdf` (errors stay JSON).

They are the gateway's own routes (in the OpenAPI document through FastAPI), not operations
of the contracts: a document is drawn here from what the services answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.auth import Role
from services.gateway.bridge import Bridge
from services.gateway.documents import PDF, Document
from services.gateway.documents.bast import bast_document
from services.gateway.documents.receipt import receipt_document
from services.gateway.documents.settings import DocumentSettings
from services.gateway.report.data import Fetch
from services.gateway.routes import BASE
from services.gateway.web.render import bridge_fetch
from shared.errors import Forbidden

Maker = Callable[[Fetch, str, str, str, DocumentSettings], Awaitable[Document]]
RECEIPT_ROLES = frozenset({Role.ADMIN, Role.CAMAT, Role.BENDAHARA})
"""Who may print a kuitansi (it names the donor): the treasury roles."""
ERROR = {"$ref": "#/components/schemas/Error"}
OPERATION_IDS = ("getDonationReceiptPdf", "getPackageBastPdf")
"""The OpenAPI operation ids of the documents' paths."""


def _responses(what: str) -> dict[int | str, dict[str, Any]]:
    errors: dict[int | str, dict[str, Any]] = {
        status: {"description": text, "content": {"application/json": {"schema": ERROR}}}
        for status, text in (
            (401, "No valid token"),
            (403, "Outside the token's area or role"),
            (404, "Unknown id"),
            (503, "A service is not available"),
        )
    }
    pdf = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": what, "content": {PDF: pdf}}, **errors}


def document_endpoint(
    bridge: Bridge, make: Maker, roles: frozenset[Role] | None
) -> Callable[..., Awaitable[Response]]:
    async def endpoint(request: Request, kab: str, kec: str, id: str) -> Response:
        call = await bridge.begin(request, kab, kec)
        if roles is not None and call.claims.role not in roles:
            raise Forbidden()
        fetch = bridge_fetch(bridge, call)
        made = await make(fetch, call.kab, call.kec, id, DocumentSettings())
        disposition = {"Content-Disposition": made.disposition(inline=True)}
        return Response(made.content, media_type=made.media, headers=disposition)

    return endpoint


def build_documents_router(bridge: Bridge) -> APIRouter:
    router = APIRouter(prefix=BASE)
    router.add_api_route(
        "/donations/{id}/receipt.pdf",
        document_endpoint(bridge, receipt_document, RECEIPT_ROLES),
        methods=["GET"],
        summary="The donation's kuitansi (receipt), a signable PDF",
        operation_id=OPERATION_IDS[0],
        response_class=Response,
        responses=_responses("The kuitansi, A4 PDF"),
    )
    router.add_api_route(
        "/packages/{id}/bast.pdf",
        document_endpoint(bridge, bast_document, None),
        methods=["GET"],
        summary="The BAST (berita acara serah terima) of that hand-out, a signable A4 PDF",
        operation_id=OPERATION_IDS[1],
        response_class=Response,
        responses=_responses("The BAST, A4 PDF"),
    )
    return router
