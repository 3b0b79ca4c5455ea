"""The signed-in session: a short-lived token in an HttpOnly cookie, and the chosen language."""

from __future__ import annotations

from fastapi import Request, Response

from services.gateway.auth import Claims, Unauthorized, issue_token, read_token
from services.gateway.users import User

SESSION_COOKIE = "smart_sesi"
LANG_COOKIE = "smart_lang"
SESSION_S = 8 * 3600
LANG_S = 365 * 86400


def session_claims(request: Request, secret: str) -> Claims:
    """Who is signed in; 401 without a session or with a stale one."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorized("Silakan masuk terlebih dahulu", "Please sign in first")
    return read_token(secret, token)


def open_session(request: Request, response: Response, secret: str, user: User) -> None:
    token = issue_token(
        secret,
        sub=user.username,
        role=user.role,
        kab=user.kab,
        kec=user.kec,
        desa=user.desa,
        ttl_s=SESSION_S,
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_S,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def close_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def remember_lang(request: Request, response: Response) -> None:
    """`?lang=` is kept in a cookie so every later page speaks the same language."""
    chosen = request.query_params.get("lang")
    if chosen in ("id", "en") and chosen != request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, chosen, max_age=LANG_S, samesite="lax", path="/")


def safe_next(target: str | None) -> str:
    """Only a path of this site is followed after sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/dasbor"
