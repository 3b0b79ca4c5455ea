"""The gateway's FastAPI application: the contract's routes, errors, health and documents."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from nats.aio.client import Client as NATS
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.gateway.asyncapi import asyncapi_document
from services.gateway.bridge import Bridge, error_response
from services.gateway.documents.api import build_documents_router
from services.gateway.health import service_health
from services.gateway.idempotency import IdempotencyStore
from services.gateway.kabupaten import build_kabupaten_router, with_kabupaten
from services.gateway.limits import BodyLimits, LimitBodies
from services.gateway.openapi import with_contract
from services.gateway.routes import BASE, build_router
from services.gateway.summary import SUMMARY
from services.gateway.web.importing import PAGE as WEB_IMPORT
from services.gateway.web.packages import EVIDENCE as WEB_EVIDENCE
from services.gateway.web.site import mount_web
from shared.contracts import Operation, operations
from shared.errors import DomainError
from shared.strict import explained


def _validation_response(exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {"loc": ("body",), "msg": "invalid", "type": ""}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
    field = ".".join(loc) or "body"
    msg_id, msg_en = explained(first)
    return JSONResponse(
        {
            "error": {
                "code": "INVALID",
                "message": f"Isian '{field}' tidak valid: {msg_id}",
                "message_en": f"Field '{field}' is invalid: {msg_en}",
                "field": field,
            }
        },
        status_code=422,
    )


def _add_errors(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "NOT_FOUND" if exc.status_code == 404 else "HTTP_ERROR"
        return JSONResponse(
            {
                "error": {
                    "code": code,
                    "message": f"Permintaan tidak dapat dilayani ({exc.detail})",
                    "message_en": f"The request cannot be served ({exc.detail})",
                }
            },
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_response(exc)


Supervision = Callable[[], Mapping[str, Mapping[str, Any]]]
"""The components of `smart up` as its supervisor sees them, each with `healthy`."""


def _add_documents(
    app: FastAPI, nc: NATS, ops: Sequence[Operation], supervision: Supervision | None = None
) -> None:
    @app.get("/health", summary="200 when every service is up and caught up", operation_id="health")
    async def health() -> JSONResponse:
        services = await service_health(nc)
        ok = all(s.get("pending") == 0 for s in services.values())
        body: dict[str, Any] = {"ok": ok, "services": services}
        if supervision is not None:
            body["components"] = components = supervision()
            body["ok"] = ok = ok and all(c.get("healthy") for c in components.values())
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get(
        "/asyncapi.json",
        summary="AsyncAPI 3.0 document of the events in the log",
        operation_id="asyncapi",
    )
    async def asyncapi() -> JSONResponse:
        return JSONResponse(asyncapi_document())

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = with_kabupaten(with_contract(doc, ops, BASE))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(
    nc: NATS,
    secret: str,
    *,
    replicas: int = 1,
    ops: Sequence[Operation] | None = None,
    supervision: Supervision | None = None,
    limits: BodyLimits | None = None,
) -> FastAPI:
    """The gateway over `nc`; `ops` are the contract's operations (all of them by default);
    `limits` the largest bodies it reads (the settings' defaults unless given)."""
    ops = tuple(operations() if ops is None else ops)
    bridge = Bridge(nc, secret, IdempotencyStore(nc.jetstream(), replicas))
    app = FastAPI(
        title="Jumat SMART API",
        version="1.0",
        description="The public HTTP contract of Jumat SMART (see CONTRACT.md).",
        docs_url=None,  # served offline by the dashboard (web/site.py)
        redoc_url=None,
    )
    app.state.bridge = bridge
    _add_errors(app)
    _add_documents(app, nc, (*ops, SUMMARY), supervision)
    app.include_router(build_kabupaten_router(bridge))
    app.include_router(build_documents_router(bridge))
    app.include_router(build_router(bridge, ops))
    mount_web(app, bridge, replicas)
    imports = [BASE + op.path for op in ops if op.body == "csv"] + [WEB_IMPORT, WEB_EVIDENCE]
    files = [BASE + op.path for op in ops if op.body == "file"]
    app.add_middleware(LimitBodies, limits=limits or BodyLimits(), imports=imports, files=files)
    return app
