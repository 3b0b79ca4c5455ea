"""Mounting the dashboard on the gateway: its routers, its users, its static files, the API
documents served offline (Swagger UI from the `swagger-ui-bundle` package) and the security
headers of every answer."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse
from nats.js.client import JetStreamContext
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from swagger_ui_bundle import swagger_ui_path

from services.gateway.bridge import Bridge
from services.gateway.users import UserStore
from services.gateway.web.access import build_access_router
from services.gateway.web.cashbook import build_cashbook_router
from services.gateway.web.documents import build_documents_router
from services.gateway.web.findings import build_findings_router
from services.gateway.web.fund_forms import build_fund_router
from services.gateway.web.households import build_households_router
from services.gateway.web.importing import build_import_router
from services.gateway.web.kabupaten import build_kabupaten_router
from services.gateway.web.packages import build_packages_router
from services.gateway.web.pages import build_pages_router
from services.gateway.web.records import build_records_router
from services.gateway.web.render import Web
from services.gateway.web.rota_forms import build_rota_router
from services.gateway.web.rounds import build_rounds_router
from services.gateway.web.session import Sessions
from services.gateway.web.setup_forms import build_setup_router
from services.gateway.web.throttle import SignInThrottle
from services.gateway.web.users_page import build_users_router

STATIC = Path(__file__).parent / "static"
SWAGGER = Path(swagger_ui_path)
STATIC_TYPES = {
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
SWAGGER_FILES = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'{styles}; img-src 'self' data:;"
    " font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none';"
    " form-action 'self'; frame-ancestors 'none'"
)
INLINE_STYLES = ("/docs", "/laporan/unduh")
"""Paths whose pages carry inline styles (Swagger UI's, the SKK report's HTML): no inline
script anywhere."""
DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Jumat SMART API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui" data-url="/openapi.json"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script></body></html>"""


def _file(path: Path, suffix: str) -> FileResponse:
    return FileResponse(
        path, media_type=STATIC_TYPES[suffix], headers={"Cache-Control": "max-age=3600"}
    )


def static_file(name: str) -> FileResponse:
    """Only the dashboard's own files are served (no CDN, nothing outside `static/`)."""
    path = STATIC / name
    if path.parent != STATIC or path.suffix not in STATIC_TYPES or not path.is_file():
        raise HTTPException(status_code=404)
    return _file(path, path.suffix)


def swagger_file(name: str) -> FileResponse:
    if name not in SWAGGER_FILES:
        raise HTTPException(status_code=404)
    return _file(SWAGGER / name, Path(name).suffix)


def favicon() -> FileResponse:
    return _file(STATIC / "favicon.svg", ".svg")


def docs() -> HTMLResponse:
    return HTMLResponse(DOCS_PAGE)


class SecurityHeaders:
    """CSP without inline scripts, no framing, no referrer to other sites, no sniffing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        inline = any(path.startswith(p) or path.endswith(p) for p in INLINE_STYLES)
        csp = CSP.format(styles=" 'unsafe-inline'" if inline else "").encode()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"content-security-policy", csp),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-content-type-options", b"nosniff"),
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


async def provision_web(js: JetStreamContext, replicas: int = 1) -> None:
    """The dashboard's buckets (revoked sessions, failed sign-ins), created by the admin."""
    users = UserStore(js, replicas)
    await Sessions(js, users, "", replicas).provision()
    await SignInThrottle(js, replicas).provision()


def mount_web(app: FastAPI, bridge: Bridge, replicas: int = 1) -> None:
    web = Web(bridge, UserStore(bridge.nc.jetstream(), replicas), replicas)
    app.state.web = web
    app.add_middleware(SecurityHeaders)
    for path, endpoint in (
        ("/static/{name}", static_file),
        ("/docs", docs),
        ("/docs/{name}", swagger_file),
        ("/favicon.ico", favicon),
    ):
        app.add_api_route(path, endpoint, methods=["GET"], include_in_schema=False)
    routers = (
        build_access_router(web),
        build_pages_router(),
        build_records_router(),
        build_documents_router(),
        build_users_router(),
        build_setup_router(),
        build_rota_router(),
        build_fund_router(),
        build_cashbook_router(),
        build_households_router(),
        build_import_router(),
        build_rounds_router(),
        build_packages_router(),
        build_findings_router(),
        build_kabupaten_router(),
    )
    for router in routers:
        app.include_router(router)
