"""Mounting the dashboard on the gateway: its routers, its users and its static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

from services.gateway.bridge import Bridge
from services.gateway.users import UserStore
from services.gateway.web.access import build_access_router
from services.gateway.web.pages import build_pages_router
from services.gateway.web.records import build_records_router
from services.gateway.web.render import Web

STATIC = Path(__file__).parent / "static"
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript"}


def static_file(name: str) -> FileResponse:
    """Only the dashboard's own files are served (no CDN, nothing outside `static/`)."""
    path = STATIC / name
    if path.parent != STATIC or path.suffix not in STATIC_TYPES or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(
        path, media_type=STATIC_TYPES[path.suffix], headers={"Cache-Control": "max-age=3600"}
    )


def mount_web(app: FastAPI, bridge: Bridge, replicas: int = 1) -> None:
    web = Web(bridge, UserStore(bridge.nc.jetstream(), replicas))
    app.state.web = web
    app.add_api_route("/static/{name}", static_file, methods=["GET"], include_in_schema=False)
    for router in (build_access_router(web), build_pages_router(), build_records_router()):
        app.include_router(router)
