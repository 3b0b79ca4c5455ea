"""The registry kept current, in Chromium: a camat moves a household to another desa, adds a
family member (refused when another household holds the NIK) and loads an aid list whose
member NIK makes the household not eligible. Desktop and phone sizes."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, FilePayload

from services.gateway.auth import Role
from tests.e2e.conftest import System
from tests.e2e.test_api_support import DESA_NAMES, household_body
from tests.e2e.test_web_households import desa_of
from tests.e2e.websupport import browser_sign_in, configure, fits, page_of, person, submit, text

pytestmark = pytest.mark.e2e


async def register(system: System, kab: str, kec: str, body: dict[str, object]) -> str:
    async with system.client(system.token(Role.ADMIN, kab=kab)) as admin:
        sent = await admin.post(f"/api/v1/{kab}/{kec}/households", json=body)
        assert sent.status_code == 201, sent.text
        return str(sent.json()["household_id"])


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_a_camat_moves_a_household_adds_a_member_and_loads_an_aid_list(
    system: System, browser: Browser, tenant: tuple[str, str], size: str
) -> None:
    kab, kec = tenant
    desa = desa_of(kec)
    await configure(system, kab, kec)
    taken = household_body(kec, desa[2])
    await register(system, kab, kec, taken)
    hid = await register(system, kab, kec, household_body(kec, desa[0], registry="DTKS"))
    member = household_body(kec, desa[0])["nik"]
    camat = await person(system, Role.CAMAT, kec=kec)
    base = f"/dasbor/{kab}/{kec}"
    async with page_of(browser, "registry-edit", size) as page:
        await browser_sign_in(page, system.base_url, camat, f"{base}/rumah-tangga/{hid}")
        await page.select_option("#edit-form select[name=desa]", desa[1])
        await page.select_option("#edit-form select[name=registry]", "DTSEN")
        await page.fill("#edit-form textarea[name=members]", f"{taken['nik']} Parmi")
        await fits(page)
        await submit(page, "#edit-form button[type=submit]")
        refused = await text(page, '#edit-form [data-error="members"]')
        assert "sudah terdaftar" in refused, refused
        assert taken["nik"] not in refused, "a refusal never names the other's NIK"
        await page.fill("#edit-form textarea[name=members]", f"{member} Parmi Lestari")
        await submit(page, "#edit-form button[type=submit]")
        assert await text(page, "#notice") == "Data rumah tangga diperbarui."
        assert DESA_NAMES[1] in await text(page, "#household-facts")
        shown = await text(page, '[data-figure="members"]')
        assert shown == f"P**** L****** {member[:4]}********{member[-4:]}", shown
        assert await text(page, '[data-figure="eligible"]') == "Ya"
        await fits(page)

        await page.goto(f"{system.base_url}{base}/impor")
        await page.select_option("#aid-import-form select[name=program]", "PKH")
        await page.fill("#aid-import-form input[name=source]", "SK Dinsos 460/12/2025")
        listing = f"NIK\n{member}\n3520059999990001\nsalah\n".encode()
        await page.set_input_files(
            "#aid-import-form input[name=file]",
            FilePayload(name="pkh.csv", mimeType="text/csv", buffer=listing),
        )
        await fits(page)
        await submit(page, "#aid-import-form button[type=submit]")
        assert await text(page, '[data-figure="matched"]') == "1"
        assert await text(page, '[data-figure="unmatched"]') == "1"
        assert await text(page, '[data-figure="aid-rejected"]') == "1"
        assert "3520059999990001" not in await page.content(), "an unmatched NIK is not shown"
        await fits(page)

        await page.goto(f"{system.base_url}{base}/rumah-tangga/{hid}")
        assert await text(page, '[data-figure="eligible"]') == "Tidak"
        assert "PKH" in await text(page, '[data-figure="aid"]')
