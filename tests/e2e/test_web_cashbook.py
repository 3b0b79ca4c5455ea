"""The treasurer's books in Chromium: a bendahara records an expense through the fund's form
and sees it in the month's cash book with the balance after it, but is offered no closing; a
camat closes the month after a confirmation, and the month then offers no more writes.
Desktop and phone sizes; the page prints as the buku kas (its opening and closing)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from services.gateway.auth import Role
from shared.clock import jakarta_today
from tests.e2e.conftest import System
from tests.e2e.test_api_support import UNITS
from tests.e2e.websupport import browser_sign_in, configure, fits, page_of, person, submit, text

pytestmark = pytest.mark.e2e
SIZES = ["desktop", "phone"]


async def funded(system: System, kab: str, kec: str) -> None:
    """A kecamatan whose fund received Rp 500.000 in the month before this one."""
    await configure(system, kab, kec)
    today = jakarta_today()
    last = today.replace(day=1).toordinal() - 1
    day = today.fromordinal(last).replace(day=10).isoformat()
    async with system.client(system.token(Role.ADMIN, kab=kab)) as admin:
        gift = {"unit": UNITS[0], "amount_idr": 500_000, "received_on": day}
        resp = await admin.post(f"/api/v1/{kab}/{kec}/donations", json=gift)
        assert resp.status_code == 201, resp.text


@pytest.mark.parametrize("size", SIZES)
async def test_a_bendahara_records_an_expense_and_a_camat_closes_the_month(
    system: System, browser: Browser, tenant: tuple[str, str], size: str
) -> None:
    kab, kec = tenant
    await funded(system, kab, kec)
    base = f"/dasbor/{kab}/{kec}"
    today = jakarta_today()
    bendahara = await person(system, Role.BENDAHARA, kec=kec)
    async with page_of(browser, "cashbook-bendahara", size) as page:
        await browser_sign_in(page, system.base_url, bendahara, f"{base}/dana/catat")
        await page.fill("#expense-form input[name=expense_amount_idr]", "Rp 45.000")
        await page.fill("#expense-form input[name=spent_on]", today.isoformat())
        await page.select_option("#expense-form select[name=category]", "TRANSPORT")
        await page.fill("#expense-form input[name=description]", "Bensin ke Desa Balerejo")
        await submit(page, "#expense-form button[type=submit]")
        assert "/dana/kas" in page.url
        assert (await text(page, "#notice")).endswith(" 1.")  # the expense's receipt
        row = page.locator("#cashbook tbody tr[data-kind=EXPENSE]")
        assert "Bensin ke Desa Balerejo" in await row.inner_text()
        assert "P-1" in await row.inner_text()
        assert "Rp 455.000" in await text(page, "#closing")
        assert await page.locator("#close-month").count() == 0
        await fits(page)
    camat = await person(system, Role.CAMAT, kec=kec)
    month = f"tahun={today.year}&bulan={today.month}"
    before = today.fromordinal(today.replace(day=1).toordinal() - 1)
    async with page_of(browser, "cashbook-camat", size) as page:
        await browser_sign_in(page, system.base_url, camat, f"{base}/dana/kas?{month}")
        await page.emulate_media(media="print")
        assert await page.locator(".signatures").is_visible()
        assert not await page.locator("#month-picker").is_visible()
        assert "Rp 500.000" in await text(page, "#cashbook tr.carried")  # the opening
        await page.emulate_media(media="screen")
        await page.goto(f"{system.base_url}{base}/dana/kas/{today:%Y-%m}/tutup")
        await submit(page, "#close-yes")  # the month before has movements: refused
        refusal = await text(page, "#close-form .field-error")
        assert f"{before:%Y-%m}" in refusal
        await fits(page)
        await page.goto(
            f"{system.base_url}{base}/dana/kas?tahun={before.year}&bulan={before.month}"
        )
        await submit(page, "#close-month")
        await submit(page, "#close-yes")
        assert (await page.get_attribute("#period-state", "data-closed")) == "yes"
        assert await page.locator("#close-month").count() == 0
        assert f"{before:%Y-%m}" in await text(page, "#closed-months")
        assert "Rp 500.000" in await text(page, "#closing")
