"""The dashboard in headless Chromium on the demo data, and sign-in's refusals over HTTP."""

from __future__ import annotations

import random
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import nats
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page

from services.gateway.auth import Role
from services.gateway.demo.scenario import HOUSEHOLDS_PER_DESA
from services.gateway.users import UserStore, new_user
from shared.tenancy import dot
from tests.e2e.conftest import System
from tests.e2e.test_demo import KAB, KEC, load_once
from tests.e2e.websupport import sign_in as http_sign_in

pytestmark = pytest.mark.e2e

DASHBOARD = f"/dasbor/{KAB}/{KEC}"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def people(system: System) -> dict[str, tuple[str, str]]:
    """A camat of Kawedanan, an operator of Balerejo and an auditor, each with a password."""
    await load_once(system)
    made: dict[str, tuple[str, str]] = {}
    nc = await nats.connect(system.settings.nats_url)
    try:
        store = UserStore(nc.jetstream())
        for role, area in (
            (Role.CAMAT, {"kec": KEC}),
            (Role.OPERATOR, {"kec": KEC, "desa": "35.20.05.2004"}),
            (Role.AUDITOR, {}),
        ):
            name, password = f"e2e-{role.value}-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
            assert await store.add(new_user(name, password, role, **area))
            made[role.value] = (name, password)
    finally:
        await nc.close()
    return made


async def figure(page: Page, key: str) -> str:
    return (await page.locator(f'[data-figure="{key}"]').inner_text()).strip()


async def sign_in(page: Page, who: tuple[str, str]) -> None:
    await page.fill("input[name=username]", who[0])
    await page.fill("input[name=password]", who[1])
    await page.click("form[action='/masuk'] button[type=submit]")


async def test_a_camat_signs_in_and_sees_the_demo_figures(
    system: System, browser: Browser, people: dict[str, tuple[str, str]], tmp_path: Path
) -> None:
    page = await browser.new_page(viewport={"width": 1280, "height": 1000})
    answer = await page.goto(f"{system.base_url}{DASHBOARD}?tahun=2023")
    assert answer is not None
    assert answer.status == 401
    await sign_in(page, people["camat"])
    await page.wait_for_url(f"**{DASHBOARD}?tahun=2023")
    assert await page.locator("h1").inner_text() == "Ringkasan 2023"
    assert await figure(page, "packages") == "150"
    assert await figure(page, "packages-value") == "Rp 15.000.000"
    assert await figure(page, "households") == "80"  # households take turns in 5 host desa
    assert await figure(page, "findings-year") == "7"
    for year, count in (("2021", "20"), ("2022", "10"), ("2023", "7")):
        assert await page.locator(f'td[data-year="{year}"]').inner_text() == count
    assert await page.locator("svg.chart").count() == 2
    shot = tmp_path / "dasbor.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    cookie = next(c for c in await page.context.cookies() if c["name"] == "smart_sesi")
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Lax"
    await page.close()


async def test_english_and_the_other_pages_show_the_same_figures(
    system: System, browser: Browser, people: dict[str, tuple[str, str]]
) -> None:
    page = await browser.new_page()
    await page.goto(f"{system.base_url}/masuk?next={DASHBOARD}/distribusi?tahun=2023")
    await sign_in(page, people["camat"])
    await page.wait_for_url("**/distribusi?tahun=2023")
    # the charity Fridays' rounds, each in its host desa: five desa of the shared rotation
    assert await page.locator("#per-desa-month tbody tr").count() == 5
    assert await figure(page, "dist-value") == "Rp 15.000.000"
    await page.click("a.lang")
    assert await page.locator("h1").inner_text() == "Distribution 2023"
    assert await figure(page, "dist-value") == "Rp 15,000,000"
    await page.goto(f"{system.base_url}{DASHBOARD}/temuan")
    assert await figure(page, "findings-2021") == "20"
    assert await page.locator("#open-findings tbody tr").count() == 3
    await page.goto(f"{system.base_url}{DASHBOARD}/jadwal?tahun=2023&bulan=5")
    assert await page.locator("#rota .badge.held").count() >= 5
    await page.click("form[action='/keluar'] button")
    await page.wait_for_url("**/masuk")
    answer = await page.goto(f"{system.base_url}{DASHBOARD}")
    assert answer is not None
    assert answer.status == 401, "signed out: the session cookie is gone"
    await page.close()


def registry_csv(kec: str, desa: str) -> bytes:
    """A registry export: one good line, the same again, and a No. KK too short."""
    serial = random.randint(1000, 9999)
    kk, nik = f"{kec}0101{serial % 90 + 10:02d}{serial}", f"{kec}4203{serial % 90 + 10:02d}{serial}"
    header = "no_kk,nik,name,desa,address,desil,registry,snapshot_date,aid"
    line = f"{kk},{nik},Siti Rahayu,{desa},Dusun Krajan RT 01,2,DTSEN,2025-01-01,"
    bad = f"123,{nik[:-1]}7,Joko Santoso,{desa},Dusun Krajan RT 02,3,DTSEN,2025-01-01,PKH"
    return "\n".join([header, line, line, bad]).encode()


async def test_an_operator_imports_a_registry_file_and_sees_each_line(
    system: System, browser: Browser, tenant: tuple[str, str]
) -> None:
    kab, kec = tenant
    desa = [f"{dot(kec)}.2001", f"{dot(kec)}.2002"]
    body = {"name": "Uji", "desa": [{"code": c, "name": f"Desa {c[-1]}"} for c in desa]}
    async with system.client(system.token(Role.ADMIN, kab=kab)) as admin:
        put = await admin.put(f"/api/v1/{kab}/{kec}", json={**body, "units": ["Kantor"]})
        assert put.status_code in (200, 201), put.text
    who = (f"e2e-op-{secrets.token_hex(3)}", secrets.token_urlsafe(12))
    nc = await nats.connect(system.settings.nats_url)
    try:
        user = new_user(who[0], who[1], Role.OPERATOR, kec=kec, desa=desa[0])
        assert await UserStore(nc.jetstream()).add(user)
    finally:
        await nc.close()
    page = await browser.new_page()
    await page.goto(f"{system.base_url}/dasbor/{kab}/{kec}/impor?wait_for={put.json()['position']}")
    await sign_in(page, who)
    await page.wait_for_url("**/impor*")
    upload = {"name": "dtsen.csv", "mimeType": "text/csv", "buffer": registry_csv(kec, desa[0])}
    await page.set_input_files("input[name=file]", files=[upload])
    await page.click("#import-form button[type=submit]")
    await page.wait_for_selector("#import-result")
    assert await figure(page, "accepted") == "1"
    assert await figure(page, "rejected") == "2"
    lines = await page.locator("#rejected tbody tr td:first-child").all_inner_texts()
    assert lines == ["3", "4"]
    foreign = registry_csv(kec, desa[1])
    await page.goto(f"{system.base_url}/dasbor/{kab}/{kec}/impor")
    await page.set_input_files("input[name=file]", files=[{**upload, "buffer": foreign}])
    await page.click("#import-form button[type=submit]")
    await page.wait_for_selector(".alert")
    assert "tidak berwenang" in await page.locator(".alert").inner_text()
    await page.close()


@asynccontextmanager
async def signed_in(system: System, who: tuple[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
        resp = await http_sign_in(client, *who)
        assert resp.status_code == 303, resp.text
        yield client


async def test_a_wrong_password_or_unknown_user_gets_the_same_answer(
    system: System, people: dict[str, tuple[str, str]]
) -> None:
    async with httpx.AsyncClient(base_url=system.base_url) as client:
        wrong = await http_sign_in(client, people["camat"][0], "x")
        nobody = await http_sign_in(client, "no-such-user", "x")
    assert wrong.status_code == nobody.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in wrong.text
    assert wrong.text == nobody.text, "the same page (one browser: the same CSRF token)"
    assert "smart_sesi" not in wrong.headers.get("set-cookie", "")


async def test_each_role_sees_only_its_area(
    system: System, people: dict[str, tuple[str, str]]
) -> None:
    async with (
        signed_in(system, people["camat"]) as camat,
        signed_in(system, people["operator"]) as operator,
        signed_in(system, people["auditor"]) as auditor,
    ):
        assert (await camat.get(f"/dasbor/{KAB}/352006")).status_code == 403
        assert (await camat.get("/dasbor/9301/930101")).status_code == 403
        mine = await operator.get(f"{DASHBOARD}/rumah-tangga", params={"desa": "35.20.05.2005"})
        assert mine.status_code == 200
        assert "Balerejo" in mine.text
        assert "Garon" not in mine.text.split('id="households"')[1]
        assert mine.text.count("<tr class=") == HOUSEHOLDS_PER_DESA
        assert (await operator.get(f"{DASHBOARD}/laporan")).status_code == 403
        assert (await auditor.get(f"{DASHBOARD}/impor")).status_code == 403
        overview = await auditor.get(DASHBOARD, params={"tahun": 2023})
        assert 'data-figure="packages">150<' in overview.text
        assert "Impor" not in overview.text.split("<main>")[0], "no import link for an auditor"
