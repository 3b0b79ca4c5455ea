"""Rendering pages: templates, the viewer's language, refusals as pages, a kecamatan's frame."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.gateway.auth import Claims, Role, check_area
from services.gateway.bridge import Bridge, Call, tenant_of
from services.gateway.report.data import Fetch, reply_data
from services.gateway.users import UserStore
from services.gateway.web.forms import (
    Flash,
    check_csrf,
    csrf_token,
    drop_flash,
    keep_nonce,
    new_key,
    read_flash,
)
from services.gateway.web.i18n import Words, pick_lang
from services.gateway.web.session import LANG_COOKIE, Sessions, remember_lang, session_token
from services.gateway.web.throttle import SignInThrottle
from shared.clock import jakarta_today
from shared.contracts.base import WRITERS
from shared.errors import DomainError
from shared.tenancy import dot

TEMPLATES = Path(__file__).parent / "templates"
_KEC_PAGE = re.compile(r"^/dasbor/[0-9]{4}/[0-9]{6}")
PUBLIC_S = 60


def words_of(request: Request) -> Words:
    return Words(pick_lang(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)))


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    """A number from the query string; anything unreadable or out of range is the default."""
    raw = request.query_params.get(name, "")
    return int(raw) if raw.isdigit() and low <= int(raw) <= high else default


def year_param(request: Request) -> int:
    return int_param(request, "tahun", jakarta_today().year, 2000, 2100)


def bridge_fetch(bridge: Bridge, call: Call) -> Fetch:
    async def fetch(service: str, name: str, params: dict[str, Any]) -> Any:
        return reply_data(await bridge.rpc(call, service, name, params=params, body={}))

    return fetch


@dataclass
class Area:
    """A kecamatan as one signed-in viewer sees it."""

    claims: Claims
    call: Call
    fetch: Fetch
    name: str
    desa: dict[str, str] = field(default_factory=dict)

    @property
    def kab(self) -> str:
        return self.call.kab

    @property
    def kec(self) -> str:
        return self.call.kec

    @property
    def own_desa(self) -> str | None:
        """An operator's desa (with dots); None for everyone who sees every desa."""
        if self.claims.role is Role.OPERATOR and self.claims.desa:
            return dot(self.claims.desa)
        return None

    @property
    def base(self) -> str:
        return f"/dasbor/{self.kab}/{self.kec}"


class Web:
    """What every page needs: the bridge to the services, the users and the templates."""

    def __init__(self, bridge: Bridge, users: UserStore, replicas: int = 1) -> None:
        self.bridge = bridge
        self.users = users
        js = bridge.nc.jetstream()
        self.sessions = Sessions(js, users, bridge.secret, replicas)
        self.throttle = SignInThrottle(js, replicas)
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
        )
        self.env.globals["new_key"] = new_key

    def render(self, request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        words = words_of(request)
        other = "en" if words.lang == "id" else "id"
        html = self.env.get_template(name).render(
            t=words,
            path=request.url.path,
            switch_url=str(request.url.include_query_params(lang=other)),
            csrf=csrf_token(request, self.bridge.secret),
            flash=self.flash(request),
            **{"area": None, "claims": None, "nav": "", "errors": {}, "values": {}, **ctx},
        )
        response = HTMLResponse(html, status_code=status)
        remember_lang(request, response)
        keep_nonce(request, response)
        drop_flash(request, response)
        return response

    def flash(self, request: Request) -> Flash | None:
        return read_flash(request, self.bridge.secret)

    def wait_for(self, request: Request) -> int | None:
        """The log position a page's reads first wait for: the last submit's, else `?wait_for=`."""
        flash = self.flash(request)
        if flash is not None and flash.position is not None:
            return flash.position
        raw = request.query_params.get("wait_for", "")
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None

    def refusal(self, request: Request, exc: DomainError) -> HTMLResponse:
        """401 asks to sign in (then back here); every other refusal says why, in words."""
        if exc.status == 401:
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return self.render(request, "signin.html", 401, message="need_signin", next=here)
        words = words_of(request)
        text = (
            words("forbidden")
            if exc.code == "FORBIDDEN"
            else (exc.message if words.lang == "id" else exc.message_en)
        )
        return self.render(
            request,
            "error.html",
            exc.status,
            message=text,
            code=exc.code,
            setup_url=self.setup_offer(request, exc),
        )

    def setup_offer(self, request: Request, exc: DomainError) -> str | None:
        """A kecamatan not set up yet: its set-up page, for one who may set it up."""
        found = _KEC_PAGE.match(request.url.path)
        claims = session_token(request, self.bridge.secret)
        if exc.status != 404 or found is None or claims is None:
            return None
        return f"{found.group(0)}/pengaturan" if claims.role.value in WRITERS else None

    async def claims(self, request: Request) -> Claims:
        """The signed-in viewer: 401 without a session, with an ended or revoked one."""
        return await self.sessions.claims(request)

    async def area(self, request: Request, kab: str, kec: str, *, write: bool = False) -> Area:
        """The viewer's kecamatan: 401 without a session, 403 outside their area; after a
        submit, its reads wait for the position of that write (read-your-writes)."""
        claims = await self.claims(request)
        kab, kec = tenant_of(kab, kec)
        check_area(claims, kab, kec, write=write)
        return await self.open_area(claims, kab, kec, self.wait_for(request))

    async def open_area(
        self, claims: Claims, kab: str, kec: str, wait_for: int | None = None
    ) -> Area:
        call = Call(claims, kab, kec, wait_for, None, b"")
        fetch = bridge_fetch(self.bridge, call)
        kecamatan = await fetch("scheduler", "kecamatan_get", {})
        names = {d["code"]: d["name"] for d in kecamatan["desa"]}
        return Area(claims, call, fetch, kecamatan["name"], names)

    async def public_area(self, kab: str, kec: str) -> Area:
        """The transparency page's view: read-only, totals only, no one signed in."""
        kab, kec = tenant_of(kab, kec)
        anyone = Claims(sub="publik", role=Role.AUDITOR, kab=kab, exp=int(time.time()) + PUBLIC_S)
        return await self.open_area(anyone, kab, kec)


async def open_page(
    request: Request, kab: str, kec: str, *, write: bool = False
) -> tuple[Web, Area, Words]:
    """A kecamatan page's start: the site, the viewer's area (or a refusal), the language."""
    web: Web = request.app.state.web
    return web, await web.area(request, kab, kec, write=write), words_of(request)


Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


class WebRoute(APIRoute):
    """A dashboard route: every POST must carry its CSRF token (forms.py); refusals become
    pages (sign-in, forbidden, not found), not JSON."""

    def get_route_handler(self) -> Endpoint:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                if request.method == "POST":
                    await check_csrf(request, request.app.state.web.bridge.secret)
                return await handler(request)
            except DomainError as exc:
                web: Web = request.app.state.web
                return web.refusal(request, exc)

        return guarded
