"""Signing in and out, and the landing page that leads each role to its kecamatan."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from services.gateway.web.render import Web, WebRoute
from services.gateway.web.session import close_session, open_session, safe_next
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
        user = await web.users.authenticate(username, password)
        if user is None:
            return web.render(
                request, "signin.html", 401, message="bad_login", next=safe_next(next)
            )
        response = RedirectResponse(safe_next(next), status_code=303)
        open_session(request, response, web.bridge.secret, user)
        return response

    @router.post("/keluar")
    async def signout() -> RedirectResponse:
        response = RedirectResponse("/masuk", status_code=303)
        close_session(response)
        return response

    @router.get("/dasbor")
    async def home(request: Request, kec: str | None = None) -> Response:
        claims = web.claims(request)
        target = undot(kec or claims.kec or "")
        if len(target) == 6 and target.isdigit():
            return RedirectResponse(f"/dasbor/{target[:4]}/{target}", status_code=303)
        choices = kecamatan_of(claims.kab) if claims.kab else ()
        return web.render(request, "home.html", claims=claims, choices=choices)

    return router
