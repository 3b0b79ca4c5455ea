"""Hand-outs v2 in Chromium: a package handed to a named family member shows its BAST
number, its page takes a photo (multipart, with the form's CSRF token) and refuses a file of
another type; the stock page adjusts the stock and refuses taking it below zero; an auditor
sees no form. Desktop and phone sizes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.async_api import Browser

from services.gateway.auth import Role
from shared.clock import jakarta_today
from shared.tenancy import dot
from tests.e2e.conftest import System
from tests.e2e.test_web_rounds import SIZES, round_id, stocked
from tests.e2e.websupport import browser_sign_in, fits, page_of, person, submit, text

pytestmark = pytest.mark.e2e
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@pytest.mark.parametrize("size", SIZES)
async def test_a_named_hand_out_its_evidence_and_the_stock(
    system: System, browser: Browser, tenant: tuple[str, str], size: str, tmp_path: Path
) -> None:
    kab, kec = tenant
    position = await stocked(system, kab, kec)
    camat = await person(system, Role.CAMAT, kec=kec)
    base = f"/dasbor/{kab}/{kec}"
    async with page_of(browser, "handouts", size) as page:
        await browser_sign_in(page, system.base_url, camat, f"{base}/stok?wait_for={position}")
        assert await text(page, '[data-figure="in-stock"]') == "10"
        await page.fill("#adjust-form input[name=packages]", "-11")
        await page.fill("#adjust-form input[name=reason]", "Rusak terkena banjir")
        await submit(page, "#adjust-form button[type=submit]")
        assert await text(page, '[data-error="_form"]') == "Stok paket sembako tidak cukup"
        await page.fill("#adjust-form input[name=packages]", "-2")
        await submit(page, "#adjust-form button[type=submit]")
        assert await text(page, "#notice") == "Stok disesuaikan."
        assert await text(page, '[data-figure="adjusted"]') == "-2"
        assert await text(page, '[data-figure="in-stock"]') == "8"
        await fits(page)

        await page.goto(f"{system.base_url}{base}/putaran")
        await page.select_option("#open-round-form select[name=desa]", f"{dot(kec)}.2001")
        await page.fill("input[name=quota]", "3")
        await submit(page, "#open-round-form button[type=submit]")
        row = page.locator("#suggestions tbody tr").first
        await row.locator("select[name=relation]").select_option("KELUARGA")
        await row.locator("input[name=received_name]").fill("Siti Aminah")
        await submit(page, "#suggestions tbody tr >> nth=0 >> button")
        bast = f"BAST/{kec}/{jakarta_today().year}/1"
        assert await text(page, "#notice") == f"Paket diserahkan: {bast}."
        handed = page.locator("#packages tbody tr").first
        assert "S*** A*****" in await handed.inner_text()
        assert "Siti" not in await page.content()
        await fits(page)
        rid = round_id(page)

        await handed.locator("a").click()
        await page.wait_for_load_state()
        assert await text(page, '[data-figure="bast-no"]') == bast
        assert await text(page, '[data-figure="received-by"]') == "S*** A***** · Keluarga"
        photo = tmp_path / "bukti.png"
        photo.write_bytes(PHOTO)
        await page.set_input_files("#evidence-form input[name=file]", str(photo))
        await submit(page, "#evidence-form button[type=submit]")
        assert await text(page, "#notice") == "Bukti tersimpan."
        assert await text(page, "#evidence code") == hashlib.sha256(PHOTO).hexdigest()
        fake = tmp_path / "bukti.jpg"
        fake.write_bytes(b"GIF89a" + bytes(64))
        await page.set_input_files("#evidence-form input[name=file]", str(fake))
        await submit(page, "#evidence-form button[type=submit]")
        assert (
            await text(page, '[data-error="file"]') == "Berkas harus foto JPEG atau PNG, atau PDF"
        )
        big = tmp_path / "besar.png"
        big.write_bytes(PHOTO + bytes(5 * 1024 * 1024))
        await page.set_input_files("#evidence-form input[name=file]", str(big))
        await submit(page, "#evidence-form button[type=submit]")
        assert await text(page, '[data-error="file"]') == "Berkas paling besar 5 MB"
        assert await page.locator("#evidence tbody tr[data-evidence]").count() == 1
        await fits(page)

    auditor = await person(system, Role.AUDITOR, kec=kec)
    async with page_of(browser, "handouts-auditor", size) as page:
        await browser_sign_in(page, system.base_url, auditor, f"{base}/putaran/{rid}")
        await page.locator("#packages tbody tr a").first.click()
        await page.wait_for_load_state()
        assert await page.locator("#evidence-form").count() == 0
        await page.goto(f"{system.base_url}{base}/stok")
        assert await page.locator("#adjust-form").count() == 0
