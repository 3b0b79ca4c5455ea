"""The dashboard's web security over HTTP: CSRF refused cross-origin, a double submit appends
once, sign-in throttled per user and per address, sign-out revokes the session, the headers,
Secure cookies behind TLS, and /docs served offline (in Chromium, with the network cut)."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator

import httpx
import nats
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Route

from services.gateway.app import create_app
from services.gateway.auth import Role
from tests.e2e.conftest import SECRET, System
from tests.e2e.websupport import (
    configure,
    csrf_in,
    idem_in,
    page_of,
    person,
    sign_in,
)

pytestmark = pytest.mark.e2e
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")


async def donated(system: System, kab: str, kec: str) -> int:
    async with system.client(system.token(Role.ADMIN, kab=kab)) as api:
        return int((await api.get(f"/api/v1/{kab}/{kec}/fund")).json()["donated_idr"])


def gift(csrf: str, idem: str, amount: str = "75.000") -> dict[str, str]:
    return {
        "csrf": csrf,
        "idem": idem,
        "unit": "Kantor Kecamatan",
        "amount_idr": amount,
        "received_on": "2025-10-02",
    }


async def test_a_cross_site_post_is_refused_403_and_changes_nothing(
    system: System, tenant: tuple[str, str]
) -> None:
    kab, kec = tenant
    await configure(system, kab, kec)
    camat = await person(system, Role.CAMAT, kec=kec)
    base = f"/dasbor/{kab}/{kec}"
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
        assert (await sign_in(client, *camat)).status_code == 303
        page = await client.get(f"{base}/dana/catat")
        csrf, idem = csrf_in(page.text), idem_in(page.text, "donation-form")
        evil = {"origin": "https://evil.example"}
        refused = [
            await client.post(f"{base}/dana/donasi", data=gift("", idem)),
            await client.post(f"{base}/dana/donasi", data=gift("forged", idem)),
            await client.post(f"{base}/dana/donasi", data=gift(csrf, idem), headers=evil),
            await client.post(
                f"{base}/dana/donasi",
                data=gift(csrf, idem),
                headers={"sec-fetch-site": "cross-site"},
            ),
            await client.post(
                f"{base}/impor", files={"file": ("a.csv", b"no_kk,nik\n")}, headers=evil
            ),
            await client.post(f"{base}/impor", files={"file": ("a.csv", b"no_kk,nik\n")}),
            await client.post("/keluar"),
            await client.post("/masuk", data={"username": camat[0], "password": camat[1]}),
        ]
        assert [r.status_code for r in refused] == [403] * len(refused)
        assert "Formulir ini tidak dikirim dari halaman dasbor ini" in refused[0].text
        assert (await client.get(base)).status_code == 200, "the refused sign-out changed nothing"
        assert await donated(system, kab, kec) == 0
        sent = await client.post(f"{base}/dana/donasi", data=gift(csrf, idem))
        assert sent.status_code == 303
        after = await client.get(sent.headers["location"])
        assert 'data-receipt="1"' in after.text, "its page waited for the write"
    assert await donated(system, kab, kec) == 75_000


async def test_a_form_sent_twice_appends_once(system: System, tenant: tuple[str, str]) -> None:
    kab, kec = tenant
    await configure(system, kab, kec)
    camat = await person(system, Role.CAMAT, kec=kec)
    base = f"/dasbor/{kab}/{kec}"
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
        assert (await sign_in(client, *camat)).status_code == 303
        page = await client.get(f"{base}/dana/catat")
        form = gift(csrf_in(page.text), idem_in(page.text, "donation-form"), "Rp 120.000")
        first = await client.post(f"{base}/dana/donasi", data=form)
        again = await client.post(f"{base}/dana/donasi", data=form)
        assert first.status_code == again.status_code == 303
        assert first.headers["location"] == again.headers["location"]
        after = await client.get(first.headers["location"])
        assert "kuitansi nomor 1" in after.text, "the page after the submit shows it (its notice)"
        assert after.text.count("data-receipt=") == 1, "...and the new state: one donation"
        other = await client.get(f"{base}/dana/catat")
        assert idem_in(other.text, "donation-form") != form["idem"], "a new form, a new key"
    assert await donated(system, kab, kec) == 120_000


async def test_sign_in_is_throttled_per_user_then_locked_even_for_the_right_password(
    system: System,
) -> None:
    who = await person(system, Role.AUDITOR)
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
        wrong = [await sign_in(client, who[0], "not-the-password") for _ in range(5)]
        assert [r.status_code for r in wrong] == [401] * 5
        locked = await sign_in(client, who[0], who[1])
    assert locked.status_code == 429
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    assert "Terlalu banyak percobaan masuk yang gagal" in locked.text
    assert "coba lagi dalam 15 menit" in locked.text
    assert "smart_sesi" not in locked.headers.get("set-cookie", "")
    someone = await person(system, Role.AUDITOR)
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
        assert (await sign_in(client, *someone)).status_code == 303, "others are not locked"


@pytest_asyncio.fixture(loop_scope="session")
async def gateway_app(system: System) -> AsyncIterator[object]:
    """A second gateway in this process, on the e2e system's NATS: its clients' addresses
    can be chosen (the throttle keeps its counts in the NATS bucket both share)."""
    nc = await nats.connect(system.settings.nats_url)
    try:
        yield create_app(nc, SECRET)
    finally:
        await nc.close()


def from_address(app: object, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://dashboard.test")


async def test_sign_in_is_throttled_per_address(system: System, gateway_app: object) -> None:
    address = f"198.51.100.{secrets.randbelow(250) + 1}"
    who = await person(system, Role.AUDITOR)
    async with from_address(gateway_app, address) as client:
        for i in range(20):
            assert (
                await sign_in(client, f"nobody-{i}-{secrets.token_hex(3)}", "x")
            ).status_code == 401
        assert (await sign_in(client, *who)).status_code == 429
    async with from_address(gateway_app, "203.0.113.9") as elsewhere:
        assert (await sign_in(elsewhere, *who)).status_code == 303


async def test_sign_out_revokes_the_session_on_the_server(
    system: System, tenant: tuple[str, str]
) -> None:
    kab, kec = tenant
    await configure(system, kab, kec)
    camat = await person(system, Role.CAMAT, kec=kec)
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
        assert (await sign_in(client, *camat)).status_code == 303
        copied = client.cookies["smart_sesi"]
        page = await client.get(f"/dasbor/{kab}/{kec}")
        assert page.status_code == 200
        out = await client.post("/keluar", data={"csrf": csrf_in(page.text)})
        assert out.status_code == 303
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as thief:
        thief.cookies.set("smart_sesi", copied)
        again = await thief.get(f"/dasbor/{kab}/{kec}")
    assert again.status_code == 401, "the copied cookie is refused after sign-out"
    assert "Silakan masuk" in again.text


async def test_every_answer_carries_the_security_headers_and_no_inline_script(
    system: System,
) -> None:
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
        for path in ("/masuk", "/dasbor", "/docs", "/api/v1/3520/352005"):
            resp = await client.get(path)
            csp = resp.headers["content-security-policy"]
            assert "script-src 'self';" in csp, path
            assert "frame-ancestors 'none'" in csp, path
            assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
            assert resp.headers["x-frame-options"] == "DENY", path
            assert resp.headers["referrer-policy"] == "same-origin", path
            assert resp.headers["x-content-type-options"] == "nosniff", path
            assert not INLINE_SCRIPT.search(resp.text), f"an inline script on {path}"


async def test_cookies_are_secure_behind_tls(system: System) -> None:
    who = await person(system, Role.AUDITOR)
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
        plain = await sign_in(client, *who)
    async with httpx.AsyncClient(
        base_url=system.base_url, timeout=30, headers={"x-forwarded-proto": "https"}
    ) as client:
        form = await client.get("/masuk")
        nonce = form.headers["set-cookie"]
        assert nonce.startswith("smart_csrf=")
        assert "secure" in nonce.lower()
        client.cookies.set("smart_csrf", nonce.split(";")[0].split("=", 1)[1])
        behind_tls = await client.post(
            "/masuk", data={"username": who[0], "password": who[1], "csrf": csrf_in(form.text)}
        )
    assert plain.status_code == behind_tls.status_code == 303
    assert "secure" not in plain.headers["set-cookie"].lower()
    session = next(c for c in behind_tls.headers.get_list("set-cookie") if "smart_sesi" in c)
    assert "secure" in session.lower()
    assert "httponly" in session.lower()


async def test_the_api_docs_work_offline_with_a_favicon(system: System, browser: Browser) -> None:
    outside: list[str] = []
    problems: list[str] = []

    async def only_here(route: Route) -> None:
        if route.request.url.startswith(system.base_url):
            await route.continue_()
        else:
            outside.append(route.request.url)
            await route.abort()

    async with page_of(browser, "docs") as page:
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        await page.route("**/*", only_here)
        await page.goto(f"{system.base_url}/docs")
        title = page.locator(".swagger-ui .info .title")
        await title.wait_for()
        assert "Jumat SMART API" in await title.inner_text()
        assert await page.locator(".opblock").count() > 10, "the operations are listed"
        icon = await page.request.get(f"{system.base_url}/favicon.ico")
        assert icon.status == 200
        assert icon.headers["content-type"] == "image/svg+xml"
    assert outside == [], "nothing is fetched from another site"
    assert not [p for p in problems if "Content Security Policy" in p], problems
