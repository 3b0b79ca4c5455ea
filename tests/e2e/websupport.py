"""Helpers of the dashboard's tests: a form's CSRF token, signing in as a browser does, people
with passwords, pages at desktop and phone sizes whose screenshot is kept when a test fails."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import nats
from playwright.async_api import Browser, Page
from playwright.async_api import Error as PlaywrightError

from services.gateway.auth import Role
from services.gateway.users import UserStore, new_user
from tests.e2e.conftest import System
from tests.e2e.test_api_support import kecamatan_body

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SHOTS = Path(os.environ.get("SMART_E2E_SHOTS") or Path(tempfile.gettempdir()) / "smart-e2e-shots")
"""Where the screenshot of a page is kept when its test fails."""
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_IDEM = re.compile(r'name="idem" value="([^"]+)"')


def csrf_in(html: str) -> str:
    """The CSRF token of the first POST form of a page."""
    found = _CSRF.search(html)
    assert found is not None, "the page has a form with its CSRF token"
    return found.group(1)


def idem_in(html: str, form_id: str) -> str:
    """The Idempotency-Key the form `form_id` was rendered with."""
    found = _IDEM.search(html[html.index(f'id="{form_id}"') :])
    assert found is not None, f"the form {form_id} carries an Idempotency-Key"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    """Open the sign-in page (its token is bound to the nonce cookie it sets), then post it."""
    page = await client.get("/masuk")
    data = {"username": username, "password": password, "csrf": csrf_in(page.text)}
    return await client.post("/masuk", data=data)


async def person(system: System, role: Role, **area: str) -> tuple[str, str]:
    """A new dashboard user of `role` (username, password)."""
    name, password = f"e2e-{role.value}-{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    nc = await nats.connect(system.settings.nats_url)
    try:
        assert await UserStore(nc.jetstream()).add(new_user(name, password, role, **area))
    finally:
        await nc.close()
    return name, password


async def configure(system: System, kab: str, kec: str, **extra: Any) -> int:
    """Set up the kecamatan through the API (3 desa, 3 units); the log position reached."""
    async with system.client(system.token(Role.ADMIN, kab=kab)) as admin:
        put = await admin.put(f"/api/v1/{kab}/{kec}", json={**kecamatan_body(kec), **extra})
        assert put.status_code in (200, 201), put.text
        return int(put.json()["position"])


@asynccontextmanager
async def page_of(browser: Browser, name: str, size: str = "desktop") -> AsyncIterator[Page]:
    """A fresh browser context at `size`; a failing test keeps the page's screenshot."""
    context = await browser.new_context(viewport=SIZES[size], is_mobile=size == "phone")
    page = await context.new_page()
    try:
        yield page
    except BaseException as exc:
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"{name}-{size}.png"
        try:
            await page.screenshot(path=str(shot), full_page=True, timeout=10_000)
            exc.add_note(f"screenshot of the page: {shot} ({page.url})")
        except PlaywrightError as why:  # the test's own failure is what must be reported
            exc.add_note(f"no screenshot of {page.url}: {why.message.splitlines()[0]}")
        raise
    finally:
        await context.close()


async def browser_sign_in(page: Page, base_url: str, who: tuple[str, str], to: str) -> None:
    """Sign in through the form, then land on `to`."""
    await page.goto(f"{base_url}/masuk?next={quote(to, safe='/')}")
    await page.fill("input[name=username]", who[0])
    await page.fill("input[name=password]", who[1])
    await page.click("form[action='/masuk'] button[type=submit]")
    await page.wait_for_load_state()


async def fits(page: Page) -> None:
    """Nothing wider than the screen: the page does not scroll sideways."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    view = await page.evaluate("window.innerWidth")
    assert width <= view, f"the page scrolls sideways: {width} px for {view} px"


async def smart(system: System, *args: str, stdin: bytes = b"") -> tuple[int, str]:
    """Run the `smart` command line against the e2e system; (exit code, output)."""
    env = {
        **os.environ,
        "SMART_NATS_URL": system.settings.nats_url or "",
        "SMART_DATABASE_URL": system.settings.database_url or "",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.cli.main",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    out, _ = await process.communicate(stdin)
    return int(process.returncode or 0), out.decode()


async def text(page: Page, selector: str) -> str:
    return (await page.locator(selector).inner_text()).strip()


async def submit(page: Page, selector: str) -> None:
    async with page.expect_navigation():
        await page.click(selector)
