"""The signed-in session: a short-lived token in an HttpOnly cookie, revoked on the server at
sign-out, and the chosen language.

A session token carries a random session id (`sid`). Signing out writes that id into the
`SMART_SESSIONS_REVOKED` bucket, whose entries live as long as a session can (`SESSION_S`), so
a copied cookie is refused after sign-out although its signature is still good. A user who is
disabled, or whose password is reset, loses every session opened before (`sessions_from`).
"""

from __future__ import annotations

import secrets
import time

from fastapi import Request, Response
from nats.js.client import JetStreamContext
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from services.gateway.auth import Claims, Unauthorized, issue_token, read_token
from services.gateway.users import User, UserStore
from shared.log.kv import open_bucket

SESSION_COOKIE = "smart_sesi"
LANG_COOKIE = "smart_lang"
SESSION_S = 8 * 3600
LANG_S = 365 * 86400
REVOKED_BUCKET = "SMART_SESSIONS_REVOKED"


def is_tls(request: Request) -> bool:
    """Served over TLS here, or behind a proxy that ended TLS and says so."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def session_token(request: Request, secret: str) -> Claims | None:
    """The session cookie's claims, signature and expiry checked (not revocation)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return read_token(secret, token)
    except Unauthorized:
        return None


class Sessions:
    """Opening, checking and revoking dashboard sessions."""

    def __init__(self, js: JetStreamContext, users: UserStore, secret: str, replicas: int = 1):
        self.js = js
        self.users = users
        self.secret = secret
        self.replicas = replicas
        self._kv: KeyValue | None = None

    async def _revoked(self) -> KeyValue:
        if self._kv is None:
            self._kv = await open_bucket(
                self.js, REVOKED_BUCKET, ttl=SESSION_S + 60, history=1, replicas=self.replicas
            )
        return self._kv

    async def provision(self) -> None:
        """Create the bucket if it is missing: the admin's act (`start_gateway`)."""
        await self._revoked()

    async def claims(self, request: Request) -> Claims:
        """Who is signed in; 401 without a session, with a stale or a revoked one."""
        claims = session_token(request, self.secret)
        if claims is None or claims.sid is None:
            raise Unauthorized("Silakan masuk terlebih dahulu", "Please sign in first")
        if await self.is_revoked(claims.sid):
            raise Unauthorized("Sesi ini sudah berakhir", "This session has ended")
        user = await self.users.get(claims.sub)
        if user is None or user.disabled or claims.exp - SESSION_S < user.sessions_from:
            raise Unauthorized("Sesi ini sudah berakhir", "This session has ended")
        return claims

    async def is_revoked(self, sid: str) -> bool:
        kv = await self._revoked()
        try:
            await kv.get(sid)
        except KeyNotFoundError:
            return False
        return True

    def open(self, request: Request, response: Response, user: User) -> None:
        token = issue_token(
            self.secret,
            sub=user.username,
            role=user.role,
            kab=user.kab,
            kec=user.kec,
            desa=user.desa,
            ttl_s=SESSION_S,
            sid=secrets.token_urlsafe(18),
        )
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=SESSION_S,
            httponly=True,
            samesite="lax",
            secure=is_tls(request),
            path="/",
        )

    async def close(self, request: Request, response: Response) -> None:
        """Sign out: the session id is revoked on the server, then the cookie dropped."""
        claims = session_token(request, self.secret)
        if claims is not None and claims.sid is not None:
            kv = await self._revoked()
            await kv.put(claims.sid, str(int(time.time())).encode())
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_tls(request)
        )


def remember_lang(request: Request, response: Response) -> None:
    """`?lang=` is kept in a cookie so every later page speaks the same language."""
    chosen = request.query_params.get("lang")
    if chosen in ("id", "en") and chosen != request.cookies.get(LANG_COOKIE):
        response.set_cookie(
            LANG_COOKIE, chosen, max_age=LANG_S, samesite="lax", path="/", secure=is_tls(request)
        )


def safe_next(target: str | None) -> str:
    """Only a path of this site is followed after sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/dasbor"
