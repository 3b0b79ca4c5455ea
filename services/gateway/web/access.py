"""Signing in and out, and the landing page that leads each role to its kecamatan."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from services.gateway.web.render import Web, WebRoute
from services.gateway.web.session import safe_next
from services.gateway.web.wilayah import kecamatan_of
from shared.tenancy import undot


def build_access_router(web: Web) -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)

    @router.get("/")
    async def root() -> RedirectResponse:
        return RedirectResponse("/dasbor", status_code=303)

    @router.get("/masuk")
    async def signin_form(request: Request, next: str | None = None) -> Response:
        return web.render(request, "signin.html", next=safe_next(next), message=None)

    @router.post("/masuk")
    async def signin(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/dasbor",
    ) -> Response:
        address = request.client.host if request.client else "-"
        wait = await web.throttle.locked_for(username, address)
        if wait:
            minutes = max(1, -(-wait // 60))
            locked = web.render(
                request, "signin.html", 429, message="locked", minutes=minutes, next=safe_next(next)
            )
            locked.headers["Retry-After"] = str(wait)
            return locked
        user = await web.users.authenticate(username, password)
        if user is None:
            await web.throttle.failed(username, address)
            return web.render(
                request, "signin.html", 401, message="bad_login", next=safe_next(next)
            )
        await web.throttle.succeeded(username, address)
        response = RedirectResponse(safe_next(next), status_code=303)
        web.sessions.open(request, response, user)
        return response

    @router.post("/keluar")
    async def signout(request: Request) -> RedirectResponse:
        response = RedirectResponse("/masuk", status_code=303)
        await web.sessions.close(request, response)
        return response

    @router.get("/dasbor")
    async def home(request: Request, kec: str | None = None) -> Response:
        claims = await web.claims(request)
        target = undot(kec or claims.kec or "")
        if len(target) == 6 and target.isdigit():
            return RedirectResponse(f"/dasbor/{target[:4]}/{target}", status_code=303)
        choices = kecamatan_of(claims.kab) if claims.kab else ()
        return web.render(request, "home.html", claims=claims, choices=choices)

    return router
