"""The admin's page of dashboard users: list, add, disable, and reset a password."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request, Response

from services.gateway.auth import Claims, Role
from services.gateway.users import User, UserError, new_user, with_password
from services.gateway.web.forms import done, form_fields
from services.gateway.web.i18n import Words
from services.gateway.web.render import Web, WebRoute, words_of
from shared.errors import Forbidden, NotFound

PAGE = "/admin/pengguna"
ROLES = (Role.ADMIN, Role.CAMAT, Role.BENDAHARA, Role.OPERATOR, Role.AUDITOR)
PROBLEMS = {
    "username": "user_bad_name",
    "password": "user_bad_password",
    "kec": "user_needs_kec",
    "desa": "user_needs_desa",
}


async def admin_of(request: Request) -> tuple[Web, Claims]:
    web: Web = request.app.state.web
    claims = await web.claims(request)
    if claims.role is not Role.ADMIN:
        raise Forbidden()
    return web, claims


def area_of(user: User) -> str:
    return user.desa or user.kec or user.kab or ""


async def users_page(
    request: Request,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    web, claims = await admin_of(request)
    users = await web.users.all()
    return web.render(
        request,
        "users.html",
        status,
        claims=claims,
        nav="users",
        users=users,
        roles=ROLES,
        area_of=area_of,
        errors=errors or {},
        values=values or {"role": Role.OPERATOR.value},
    )


async def users_view(request: Request) -> Response:
    return await users_page(request)


def problem(exc: UserError, words: Words) -> dict[str, str]:
    """A user that cannot be made as asked, in the viewer's words, next to its field."""
    field = exc.field or "_form"
    return {field: words(PROBLEMS[field]) if field in PROBLEMS else str(exc)}


async def add(request: Request) -> Response:
    web, _ = await admin_of(request)
    f = await form_fields(request)
    role = f.get("role", "")
    if role not in {r.value for r in ROLES}:
        return await users_page(request, 422, {"role": words_of(request)("user_bad_role")}, f)
    area = {k: f.get(k, "").strip() or None for k in ("kab", "kec", "desa")}
    if area["desa"] and not area["kec"]:
        area["kec"] = area["desa"].replace(".", "")[:6]
    try:
        user = new_user(
            f.get("username", "").strip().lower(), f.get("password", ""), Role(role), **area
        )
    except UserError as exc:
        return await users_page(request, 422, problem(exc, words_of(request)), f)
    if not await web.users.add(user):
        errors = {"username": words_of(request)("user_taken")}
        return await users_page(request, 409, errors, f)
    return done(request, PAGE, "user_added", None, user.username)


async def _known(web: Web, username: str) -> User:
    user = await web.users.get(username)
    if user is None:
        raise NotFound("Pengguna", username[:64], "User")
    return user


async def disable(request: Request, username: str) -> Response:
    web, claims = await admin_of(request)
    user = await _known(web, username)
    if user.username == claims.sub:
        errors = {"_form": words_of(request)("user_not_self")}
        return await users_page(request, 409, errors)
    changed = user.model_copy(update={"disabled": True})
    await web.users.replace(with_sessions_ended(changed))
    return done(request, PAGE, "user_disabled", None, user.username)


def with_sessions_ended(user: User) -> User:
    return user.model_copy(update={"sessions_from": int(time.time())})


async def reset(request: Request, username: str) -> Response:
    web, _ = await admin_of(request)
    user = await _known(web, username)
    f = await form_fields(request)
    try:
        changed = with_password(user, f.get("password", ""))
    except UserError as exc:
        words = words_of(request)
        errors = {f"password:{user.username}": problem(exc, words).get("password", str(exc))}
        return await users_page(request, 422, errors)
    await web.users.replace(changed.model_copy(update={"disabled": False}))
    return done(request, PAGE, "user_reset", None, user.username)


def build_users_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    router.add_api_route(PAGE, users_view, methods=["GET"])
    router.add_api_route(PAGE, add, methods=["POST"])
    router.add_api_route(PAGE + "/{username}/nonaktif", disable, methods=["POST"])
    router.add_api_route(PAGE + "/{username}/sandi", reset, methods=["POST"])
    return router
