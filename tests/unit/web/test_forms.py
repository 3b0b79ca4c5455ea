"""The dashboard forms' pure rules: numbers as typed, refusals next to their field, the CSRF
token bound to the session, the signed notice after a submit, the set-up's lines."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.requests import Request

from services.gateway.auth import Role, issue_token
from services.gateway.users import new_user, with_password
from services.gateway.web.forms import (
    CsrfRefused,
    check_csrf,
    csrf_token,
    done,
    field_errors,
    read_flash,
    whole,
)
from services.gateway.web.i18n import Words
from services.gateway.web.session import SESSION_COOKIE
from services.gateway.web.setup_forms import body_of
from shared.edge.rpc import RpcReply

pytestmark = pytest.mark.unit
SECRET = "unit-secret"


def request(
    cookies: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Request:
    body = urlencode(form or {}).encode()
    raw = [(b"host", b"dashboard.test"), (b"content-type", b"application/x-www-form-urlencoded")]
    if cookies:
        raw.append((b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()))
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    app = SimpleNamespace(
        state=SimpleNamespace(web=SimpleNamespace(bridge=SimpleNamespace(secret=SECRET)))
    )
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/x",
        "headers": raw,
        "query_string": b"",
        "app": app,
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


def session(sid: str) -> str:
    return issue_token(SECRET, sub="camat", role=Role.CAMAT, kab="3520", kec="352005", sid=sid)


@pytest.mark.parametrize(
    ("typed", "read"),
    [("Rp 2.500.000", 2_500_000), ("1.000", 1000), ("75000", 75000), ("", None), ("abc", "abc")],
)
def test_a_number_is_read_as_people_type_it(typed: str, read: int | str | None) -> None:
    assert whole(typed) == read


def refusal(field: str | None, message: str) -> RpcReply:
    error = {"code": "INVALID", "message": message, "message_en": "in English"}
    return RpcReply(status=422, error={**error, "field": field} if field else error)


def test_a_refusal_is_shown_next_to_its_field_in_plain_words() -> None:
    words = Words("id")
    fields = {"attendance.officials": "officials", "desa": "desa"}
    said = refusal(
        "attendance.officials", "Isian 'attendance.officials' tidak valid: paling kecil 0"
    )
    assert field_errors(said, words, fields) == {"officials": "paling kecil 0"}
    line = refusal("desa.2.code", "Desa 35.99 bukan bagian dari kecamatan 352005")
    assert field_errors(line, words, fields) == {
        "desa": "Baris 3: Desa 35.99 bukan bagian dari kecamatan 352005"
    }
    rule = refusal(None, "Saldo tidak cukup")
    assert field_errors(rule, words, fields, "_donation") == {"_donation": "Saldo tidak cukup"}
    assert field_errors(rule, Words("en"), fields) == {"_form": "in English"}


async def test_the_csrf_token_is_bound_to_the_session_and_refused_cross_origin() -> None:
    mine = {SESSION_COOKIE: session("sid-a")}
    token = csrf_token(request(mine), SECRET)
    assert token != csrf_token(request({SESSION_COOKIE: session("sid-b")}), SECRET)
    await check_csrf(request(mine, {"csrf": token}), SECRET)
    for wrong in (
        request(mine, {"csrf": "forged"}),
        request(mine, {}),
        request({SESSION_COOKIE: session("sid-b")}, {"csrf": token}),
        request(mine, {"csrf": token}, {"origin": "https://evil.example"}),
        request(mine, {"csrf": token}, {"sec-fetch-site": "cross-site"}),
        request({}, {"csrf": token}),
    ):
        with pytest.raises(CsrfRefused):
            await check_csrf(wrong, SECRET)


async def test_before_sign_in_the_token_is_bound_to_the_browsers_nonce() -> None:
    first = request()
    token = csrf_token(first, SECRET)
    nonce = first.state.csrf_nonce
    await check_csrf(request({"smart_csrf": nonce}, {"csrf": token}), SECRET)
    with pytest.raises(CsrfRefused):
        await check_csrf(request({"smart_csrf": "another"}, {"csrf": token}), SECRET)


def test_the_notice_after_a_submit_is_signed_and_carries_its_position() -> None:
    redirect = done(request(), "/dasbor/3520/352005/dana", "donation_ok", 957, "12")
    assert redirect.status_code == 303
    cookie = redirect.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    flash = read_flash(request({"smart_flash": cookie}), SECRET)
    assert flash is not None
    assert (flash.notice, flash.position, flash.detail) == ("donation_ok", 957, "12")
    assert read_flash(request({"smart_flash": cookie}), "another-secret") is None
    assert read_flash(request({"smart_flash": "e30." + cookie.split(".")[1]}), SECRET) is None


def test_the_set_up_is_read_line_by_line() -> None:
    body = body_of(
        {
            "name": " Kawedanan ",
            "desa": "35.20.05.2001 Balerejo\n\n35.20.05.2002;Garon Kidul\n35.20.05.2003\tSampung",
            "units": "Kantor Kecamatan\n  Kelurahan Kawedanan  \n",
            "fifth_friday": "",
            "days_off": "2025-01-15 Hari Jadi Kabupaten",
        }
    )
    assert body["name"] == "Kawedanan"
    assert [d["name"] for d in body["desa"]] == ["Balerejo", "Garon Kidul", "Sampung"]
    assert body["units"] == ["Kantor Kecamatan", "Kelurahan Kawedanan"]
    assert body["fifth_friday"] is None
    assert body["days_off"] == [{"date": "2025-01-15", "name": "Hari Jadi Kabupaten"}]


def test_a_new_password_ends_the_sessions_opened_before() -> None:
    user = new_user("camat-uji", "rahasia-sekali", Role.CAMAT, kec="352005")
    changed = with_password(user, "rahasia-baru-1")
    assert changed.password_hash != user.password_hash
    assert changed.sessions_from >= int(time.time()) - 1 > user.sessions_from
