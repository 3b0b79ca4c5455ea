"""The gateway's FastAPI application: the contract's routes, errors, health and documents."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from nats.aio.client import Client as NATS
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.gateway.bridge import Bridge, error_response
from services.gateway.idempotency import IdempotencyStore
from services.gateway.routes import build_router
from services.gateway.schemas import asyncapi_document
from services.gateway.web.site import mount_web
from services.registry import SERVICE_NAMES
from shared.errors import DomainError
from shared.runtime import health_subject

HEALTH_TIMEOUT_S = 2.0


def _validation_response(exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {"loc": ("body",), "msg": "invalid"}
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
    field = ".".join(loc) or "body"
    msg = first.get("msg", "invalid")
    return JSONResponse(
        {
            "error": {
                "code": "INVALID",
                "message": f"Isian '{field}' tidak valid: {msg}",
                "message_en": f"Field '{field}' is invalid: {msg}",
                "field": field,
            }
        },
        status_code=422,
    )


async def service_health(nc: NATS) -> dict[str, Any]:
    services: dict[str, Any] = {}
    for name in SERVICE_NAMES:
        try:
            msg = await nc.request(health_subject(name), b"{}", timeout=HEALTH_TIMEOUT_S)
            services[name] = json.loads(msg.data)
        except Exception:
            services[name] = {"service": name, "up": False}
    return services


def create_app(nc: NATS, secret: str, *, replicas: int = 1) -> FastAPI:
    bridge = Bridge(nc, secret, IdempotencyStore(nc.jetstream(), replicas))
    app = FastAPI(
        title="Jumat SMART API",
        version="1.0",
        description="The public HTTP contract of Jumat SMART (see CONTRACT.md).",
    )
    app.state.bridge = bridge

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

    @app.get("/health", summary="200 when every service is up and caught up")
    async def health() -> JSONResponse:
        services = await service_health(nc)
        ok = all(s.get("pending") == 0 for s in services.values())
        return JSONResponse({"ok": ok, "services": services}, status_code=200 if ok else 503)

    @app.get("/asyncapi.json", summary="AsyncAPI 3.0 document of the events in the log")
    async def asyncapi() -> JSONResponse:
        return JSONResponse(asyncapi_document())

    app.include_router(build_router(bridge))
    mount_web(app, bridge, replicas)
    return app
