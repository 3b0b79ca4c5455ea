"""The scheduler's and the fund's forms in Chromium, as the camat who uses them, at desktop and
phone sizes; what an operator and an auditor are offered."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, Page

from services.gateway.auth import Role
from shared.tenancy import dot
from tests.e2e.conftest import System
from tests.e2e.websupport import (
    browser_sign_in,
    configure,
    csrf_in,
    fits,
    page_of,
    person,
    sign_in,
    text,
)

pytestmark = pytest.mark.e2e
SIZES = ["desktop", "phone"]
YEAR, MONTH = 2025, 10
"""October 2025: a past month without a national holiday (Fridays 3, 10, 17, 24)."""


@pytest.mark.parametrize("size", SIZES)
async def test_a_camat_sets_up_a_new_kecamatan(
    system: System, browser: Browser, tenant: tuple[str, str], size: str
) -> None:
    kab, kec = tenant
    camat, d = await person(system, Role.CAMAT, kec=kec), dot(kec)
    async with page_of(browser, "setup", size) as page:
        await browser_sign_in(page, system.base_url, camat, f"/dasbor/{kab}/{kec}")
        await page.click("#offer-setup")
        await page.wait_for_url("**/pengaturan")
        assert await page.locator("#first-setup").count() == 1
        await fits(page)
        await page.fill("input[name=name]", "Uji Coba")
        desa = f"{d}.2001 Sukamaju\n{d}.2002 Tegalrejo\n{d}.2003; Karanganyar"
        await page.fill("textarea[name=desa]", desa)
        await page.fill("textarea[name=units]", "Kantor Kecamatan\nPemerintah Desa Sukamaju")
        await page.select_option("select[name=fifth_friday]", "SENAM")
        await page.click("#setup-form button[type=submit]")
        await page.wait_for_url("**/jadwal")
        assert "disiapkan" in await text(page, "#notice")
        assert "Uji Coba" in await text(page, ".place")
        await page.goto(f"{system.base_url}/dasbor/{kab}/{kec}/pengaturan")
        assert "Karanganyar" in await page.input_value("textarea[name=desa]")
        await page.fill("textarea[name=desa]", desa + "\n35.99.01.2001 Luar")
        await page.click("#setup-form button[type=submit]")
        error = await text(page, '[data-error="desa"]')
        assert error.startswith("Baris 4:"), error
        assert "bukan bagian" in error
        await fits(page)


async def test_a_desa_or_unit_in_use_cannot_be_dropped_and_the_page_says_why(
    system: System, browser: Browser, tenant: tuple[str, str]
) -> None:
    kab, kec = tenant
    await configure(system, kab, kec)
    async with system.client(system.token(Role.ADMIN, kab=kab)) as api:
        base = f"/api/v1/{kab}/{kec}"
        assert (await api.post(f"{base}/schedule", json={"year": YEAR, "month": MONTH})).is_success
        gift = {"unit": "Pemerintah Desa Dua", "amount_idr": 50_000, "received_on": "2025-10-01"}
        assert (await api.post(f"{base}/donations", json=gift)).status_code == 201
    camat = await person(system, Role.CAMAT, kec=kec)
    async with page_of(browser, "in-use") as page:
        await browser_sign_in(page, system.base_url, camat, f"/dasbor/{kab}/{kec}/pengaturan")
        lines = (await page.input_value("textarea[name=desa]")).splitlines()
        await page.fill("textarea[name=desa]", "\n".join(lines[:2]))
        await page.fill("textarea[name=units]", "Kantor Kecamatan\nPemerintah Desa Satu")
        await page.click("#setup-form button[type=submit]")
        desa_error = await text(page, '[data-error="desa"]')
        assert "Karanganyar tidak dapat dihapus" in desa_error
        assert "tuan rumah" in desa_error
        assert "Pemerintah Desa Dua tidak dapat dihapus" in await text(page, '[data-error="units"]')
        await page.fill("textarea[name=desa]", "\n".join(lines))
        await page.fill("textarea[name=units]", "Kantor Kecamatan\nPemerintah Desa Dua")
        await page.click("#setup-form button[type=submit]")
        await page.wait_for_url("**/jadwal")
        assert "tersimpan" in await text(page, "#notice")
    async with system.client(system.token(Role.ADMIN, kab=kab)) as api:
        kept = (await api.get(f"/api/v1/{kab}/{kec}")).json()
    assert len(kept["desa"]) == 3
    assert kept["units"] == ["Kantor Kecamatan", "Pemerintah Desa Dua"], "the unused unit went"


async def manage(page: Page, kind: str) -> None:
    await page.locator("#rota tbody tr", has_text=kind).locator("a.button").click()
    await page.wait_for_selector("#hold-form")


@pytest.mark.parametrize("size", SIZES)
async def test_a_camat_schedules_a_month_and_holds_cancels_and_moves_its_activities(
    system: System, browser: Browser, tenant: tuple[str, str], size: str
) -> None:
    kab, kec = tenant
    position = await configure(system, kab, kec)
    camat = await person(system, Role.CAMAT, kec=kec)
    month = f"/dasbor/{kab}/{kec}/jadwal?tahun={YEAR}&bulan={MONTH}&wait_for={position}"
    async with page_of(browser, "rota", size) as page:
        await browser_sign_in(page, system.base_url, camat, month)
        assert "belum dijadwalkan" in await text(page, "#month")
        await page.click("#schedule-form button")
        await page.wait_for_selector("#notice")
        assert await text(page, "#notice") == "Jadwal tersusun: 8 kegiatan."
        assert await page.locator("#rota tbody tr").count() == 8
        await fits(page)
        row = page.locator("#rota tbody tr", has_text="Sholawatan")
        host = await row.locator("td").nth(2).inner_text()
        await manage(page, "Sholawatan")
        await fits(page)
        await page.fill("#hold-form input[name=officials]", "12")
        await page.fill("#hold-form input[name=residents]", "85")
        await page.fill("#hold-form textarea[name=notes]", "Pembagian paket di balai desa")
        await page.click("#hold-form button[type=submit]")
        await page.wait_for_url(f"**/jadwal?tahun={YEAR}&bulan={MONTH}")
        assert await text(page, "#notice") == "Kegiatan tercatat terlaksana."
        assert await row.locator(".badge").get_attribute("class") == "badge held"
        assert host in await text(page, "#rounds-due"), "its host desa now needs a round"
        await manage(page, "Senam")
        await page.fill("#cancel-form textarea[name=reason]", "Bertepatan dengan rapat kabupaten")
        await page.click("#cancel-form button[type=submit]")
        await page.wait_for_selector("#notice")
        senam = page.locator("#rota tbody tr", has_text="Senam").locator(".badge")
        assert await senam.inner_text() == "Dibatalkan"
        await manage(page, "Jalan-jalan")
        await page.fill("#move-form input[name=date]", "2025-10-09")
        await page.click("#move-form button[type=submit]")
        await page.wait_for_selector("#notice")
        moved = page.locator("#rota tbody tr", has_text="Jalan-jalan").locator("td").first
        assert await moved.inner_text() == "2025-10-09"
        await manage(page, "Bersih")
        await page.fill("#hold-form input[name=held_on]", "2025-11-20")
        await page.fill("#hold-form input[name=officials]", "3")
        await page.fill("#hold-form input[name=residents]", "4")
        await page.click("#hold-form button[type=submit]")
        error = await text(page, '[data-error="held_on"]')
        assert "7 hari" in error or "masa depan" in error, error
        assert await page.input_value("#hold-form input[name=officials]") == "3", "kept as typed"
        await fits(page)


@pytest.mark.parametrize("size", SIZES)
async def test_a_camat_records_donations_voids_one_and_buys_packages(
    system: System, browser: Browser, tenant: tuple[str, str], size: str
) -> None:
    kab, kec = tenant
    position = await configure(system, kab, kec)
    camat = await person(system, Role.CAMAT, kec=kec)
    fund = f"/dasbor/{kab}/{kec}/dana?tahun={YEAR}&wait_for={position}"
    async with page_of(browser, "fund", size) as page:
        await browser_sign_in(page, system.base_url, camat, fund)
        await page.click("#record-fund")
        await page.wait_for_selector("#donation-form")
        await fits(page)
        for amount, day in (("Rp 2.500.000", "2025-10-06"), ("1.000.000", "2025-10-07")):
            await page.select_option("#donation-form select[name=unit]", "Pemerintah Desa Satu")
            await page.fill("#donation-form input[name=amount_idr]", amount)
            await page.fill("#donation-form input[name=received_on]", day)
            await page.click("#donation-form button[type=submit]")
            await page.wait_for_selector("#notice")
        assert await text(page, "#notice") == "Donasi tercatat dengan kuitansi nomor 2."
        assert "Rp 2.500.000" in await text(page, 'tr[data-receipt="1"]')
        await page.locator('tr[data-receipt="2"] a.button', has_text="Batalkan").click()
        await page.fill("#void-form textarea[name=reason]", "Salah catat, dobel dengan kuitansi 1")
        await page.click("#void-form button[type=submit]")
        await page.wait_for_selector("#notice")
        assert "dibatalkan" in await text(page, "#notice")
        assert "Dibatalkan" in await text(page, 'tr[data-receipt="2"]')
        await page.fill("#donation-form input[name=amount_idr]", "0")
        await page.select_option("#donation-form select[name=unit]", "Kantor Kecamatan")
        await page.click("#donation-form button[type=submit]")
        assert "paling kecil 1" in await text(page, '[data-error="amount_idr"]')
        await page.fill("#procure-form input[name=packages]", "10")
        await page.fill("#procure-form input[name=unit_price_idr]", "150.000")
        await page.fill("#procure-form input[name=purchased_on]", "2025-10-08")
        await page.fill("#procure-form input[name=supplier]", "Toko Makmur")
        await page.click("#procure-form button[type=submit]")
        await page.wait_for_selector("#notice")
        assert await text(page, "#notice") == "Pembelian 10 paket tercatat."
        await page.goto(f"{system.base_url}/dasbor/{kab}/{kec}/dana?tahun={YEAR}")
        assert await text(page, '[data-figure="fund-balance"]') == "Rp 1.000.000"
        assert await text(page, '[data-figure="fund-packages"]') == "10"
        await fits(page)


async def test_an_auditor_and_an_operator_are_offered_no_writes_they_may_not_make(
    system: System, tenant: tuple[str, str]
) -> None:
    kab, kec = tenant
    position = await configure(system, kab, kec)
    base = f"/dasbor/{kab}/{kec}"
    people = {
        "operator": await person(system, Role.OPERATOR, kec=kec, desa=f"{dot(kec)}.2001"),
        "auditor": await person(system, Role.AUDITOR, kab=kab),
        "camat": await person(system, Role.CAMAT, kec=kec),
    }
    pages: dict[str, dict[str, httpx.Response]] = {}
    for role, who in people.items():
        async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
            assert (await sign_in(client, *who)).status_code == 303
            rota = await client.get(f"{base}/jadwal?tahun={YEAR}&bulan={MONTH}&wait_for={position}")
            pages[role] = {
                "rota": rota,
                "fund": await client.get(f"{base}/dana?tahun={YEAR}"),
                "record": await client.get(f"{base}/dana/catat"),
                "setup": await client.get(f"{base}/pengaturan"),
                "schedule": await client.post(
                    f"{base}/jadwal/susun",
                    data={"csrf": csrf_in(rota.text), "tahun": YEAR, "bulan": MONTH},
                ),
            }
            if pages[role]["schedule"].status_code == 303:
                pages[role]["after"] = await client.get(pages[role]["schedule"].headers["location"])
    assert 'id="schedule-form"' in pages["camat"]["rota"].text
    assert 'id="record-fund"' in pages["camat"]["fund"].text
    assert pages["camat"]["record"].status_code == 200
    for role in ("operator", "auditor"):
        seen = pages[role]
        assert seen["rota"].status_code == 200
        assert 'id="schedule-form"' not in seen["rota"].text, role
        assert 'id="record-fund"' not in seen["fund"].text, role
        assert "/pengaturan" not in seen["rota"].text, f"no set-up link for the {role}"
        assert seen["record"].status_code == 403, role
        assert seen["setup"].status_code == 403, role
        assert seen["schedule"].status_code == 403, role
    assert pages["camat"]["schedule"].status_code == 303
    assert pages["camat"]["after"].text.count("data-activity=") == 8, "scheduled, by the camat"
    assert "after" not in pages["operator"], "the others' posts were refused"
    assert "after" not in pages["auditor"]
