"""The contract's paths under /api/v1/{kab}/{kec}, one route per operation of the contracts."""

from __future__ import annotations

import base64
import json
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
    for name in op.query_fields() if not op.write else ():
        if name in request.query_params:
            params[name] = request.query_params[name]
    return params


async def csv_body(request: Request, call: Call, op: Operation) -> dict[str, str]:
    """An import's CSV, raw or as the multipart field `file`, with the write's query fields
    beside it (an aid list's programme); a repeat compares all of it."""
    text = await csv_text(request, call.raw_body)
    given = {n: request.query_params[n] for n in op.query_fields() if n in request.query_params}
    call.raw_body = (json.dumps(given, sort_keys=True) if given else "").encode() + text.encode()
    return {**given, "csv": text}


def endpoint_of(bridge: Bridge, op: Operation) -> Endpoint:
    async def endpoint(request: Request) -> JSONResponse:
        kab, kec = request.path_params["kab"], request.path_params["kec"]
        call = await bridge.begin(request, kab, kec, json_body=op.body not in ("csv", "file"))
        if op.write:
            check_writer(call.claims, op.writers)
        body = await csv_body(request, call, op) if op.body == "csv" else None
        if op.body == "file":
            body = await file_body(request, call)
        return await bridge.forward(request, call, op.service, op.rpc, params_of(request, op), body)

    endpoint.__name__ = endpoint.__qualname__ = op.operation_id
    return endpoint


async def uploaded(request: Request, what: str = "CSV ") -> bytes:
    """The multipart field `file`; 422 `file` when it is missing."""
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InvalidInput(
            "file",
            f"Berkas {what}(field 'file') tidak ada",
            f"The {what}file (field 'file') is missing",
        )
    return await upload.read()


async def file_body(request: Request, call: Call) -> dict[str, str]:
    """An evidence file, the multipart field `file`, in base64 for the service (it judges
    the type and the size); a repeat compares the file's bytes."""
    call.raw_body = await uploaded(request, "")
    return {"file": base64.b64encode(call.raw_body).decode()}


async def csv_text(request: Request, raw: bytes) -> str:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        raw = await uploaded(request)
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
