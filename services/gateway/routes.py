"""The contract's paths under /api/v1/{kab}/{kec}, one route per operation of the contracts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.gateway.auth import check_writer
from services.gateway.bridge import Bridge, Call
from services.gateway.summary import SUMMARY, summary_endpoint
from shared.contracts import Operation
from shared.errors import InvalidInput

BASE = "/api/v1/{kab}/{kec}"
UNKNOWN_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]
Endpoint = Callable[[Request], Awaitable[JSONResponse]]


def params_of(request: Request, op: Operation) -> dict[str, Any]:
    """What an RPC is given besides its body: the path's `{id}`, a read's query fields."""
    params: dict[str, Any] = {}
    if op.has_id:
        params["id"] = request.path_params["id"]
    for name in op.query_fields():
        if name in request.query_params:
            params[name] = request.query_params[name]
    return params


async def csv_body(request: Request, call: Call) -> dict[str, str]:
    """An import's CSV, raw or as the multipart field `file`; a repeat compares its text."""
    text = await csv_text(request, call.raw_body)
    call.raw_body = text.encode()
    return {"csv": text}


def endpoint_of(bridge: Bridge, op: Operation) -> Endpoint:
    async def endpoint(request: Request) -> JSONResponse:
        kab, kec = request.path_params["kab"], request.path_params["kec"]
        call = await bridge.begin(request, kab, kec, json_body=op.body != "csv")
        if op.write:
            check_writer(call.claims, op.writers)
        body = await csv_body(request, call) if op.body == "csv" else None
        return await bridge.forward(request, call, op.service, op.rpc, params_of(request, op), body)

    endpoint.__name__ = endpoint.__qualname__ = op.operation_id
    return endpoint


async def csv_text(request: Request, raw: bytes) -> str:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidInput(
                "file",
                "Berkas CSV (field 'file') tidak ada",
                "The CSV file (field 'file') is missing",
            )
        raw = await upload.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("file", "Berkas harus UTF-8", "The file must be UTF-8") from None


def build_router(bridge: Bridge, ops: Iterable[Operation]) -> APIRouter:
    """A route per operation, `/summary`, then 404 for every other path of a kecamatan; the
    OpenAPI document is generated from the operations (services/gateway/openapi.py)."""
    router = APIRouter(prefix=BASE, include_in_schema=False)
    router.add_api_route(SUMMARY.path, summary_endpoint(bridge), methods=[SUMMARY.method])
    for op in ops:
        router.add_api_route(op.path, endpoint_of(bridge, op), methods=[op.method])
    for path in ("/{rest:path}", "{rest:path}"):
        router.add_api_route(path, bridge.unknown_path, methods=UNKNOWN_METHODS)
    return router
