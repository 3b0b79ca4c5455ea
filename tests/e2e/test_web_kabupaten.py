"""The kabupaten page in Chromium: a kabupaten-wide auditor sees every kecamatan side by
side, sorts the table, exports it and opens a kecamatan; a camat is refused; a province-wide
admin sees the kabupaten among the others; anyone reads the public kabupaten level."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser, Page

from services.gateway.auth import Role
from shared.tenancy import dot
from tests.e2e.conftest import System
from tests.e2e.test_api_kabupaten import two_of_one_kabupaten
from tests.e2e.test_api_summary import findings_up_to_2025, fund_of_2024
from tests.e2e.test_api_support import UNITS, new_api
from tests.e2e.websupport import browser_sign_in, fits, page_of, person, text

pytestmark = pytest.mark.e2e
SIZES = ["desktop", "phone"]


async def two_kecamatan(system: System) -> tuple[str, str, str, int]:
    """A kabupaten with a busy kecamatan (Rp 1.000.000 net in 2024, one finding) and a quiet
    one (Rp 250.000): the kabupaten, both kecamatan and the log position reached."""
    busy, quiet = (new_api(system, tenant) for tenant in two_of_one_kabupaten())
    async with busy.client, quiet.client:
        await busy.configure()
        await quiet.configure(n_desa=2)
        await fund_of_2024(busy)
        last = await findings_up_to_2025(busy)
        gift = {"unit": UNITS[0], "amount_idr": 250_000, "received_on": "2024-06-03"}
        resp = await quiet.post("/donations", gift)
        assert resp.status_code == 201, resp.text
        last = max(last, int(resp.json()["position"]))
    return busy.kab, busy.kec, quiet.kec, last


def rupiah(shown: str) -> int:
    return int(shown.removeprefix("Rp ").replace(".", "").replace(",", ""))


async def column(page: Page, name: str) -> list[int]:
    cells = await page.locator(f"#kecamatan-table tr[data-key] td[data-col={name}]").all()
    return [rupiah((await cell.inner_text()).strip()) for cell in cells]


async def fetched(page: Page, url: str) -> Any:
    """A download of the signed-in page (same cookies)."""
    resp = await page.request.get(url)
    assert resp.status == 200, await resp.text()
    return resp


async def sort_by(page: Page, size: str, key: str, way: str) -> None:
    """A column's heading on a desktop (clicked again: the other way); the sort form on a
    phone, where the table's rows stand stacked without their headings."""
    if size == "desktop":
        await page.click(f"a[data-sort={key}]")
    else:
        await page.select_option("#sort-form select[name=urut]", key)
        await page.select_option("#sort-form select[name=arah]", way)
        await page.click("#sort-form button[type=submit]")
    await page.wait_for_load_state()
    assert f"urut={key}" in page.url
    assert f"arah={way}" in page.url


@pytest.mark.parametrize("size", SIZES)
async def test_a_kabupaten_auditor_compares_sorts_exports_and_opens(
    system: System, browser: Browser, size: str
) -> None:
    kab, busy, quiet, last = await two_kecamatan(system)
    auditor = await person(system, Role.AUDITOR, kab=kab)
    async with page_of(browser, "kabupaten", size) as page:
        to = f"/dasbor/{kab}?tahun=2024&wait_for={last}"
        await browser_sign_in(page, system.base_url, auditor, to)
        row = f"#kecamatan-table tr[data-key='{dot(busy)}']"
        assert await text(page, f"{row} td[data-col=donations]") == "Rp 1.000.000"
        assert await text(page, f"{row} td[data-col=findings]") == "1"
        assert (
            await text(page, f"#kecamatan-table tr[data-key='{dot(quiet)}'] td[data-col=donations]")
            == "Rp 250.000"
        )
        donations = await column(page, "donations")
        total = await text(page, "#table-total td[data-col=donations]")
        assert rupiah(total.split("\n")[-1]) == sum(donations)
        await sort_by(page, size, "donasi", "turun")
        assert await column(page, "donations") == sorted(donations, reverse=True)
        await sort_by(page, size, "donasi", "naik")
        assert await column(page, "donations") == sorted(donations)
        assert await page.locator("figure.chart-box svg.chart").count() == 4
        await fits(page)
        href = await page.get_attribute("#export-csv", "href")
        resp = await fetched(page, f"{system.base_url}/dasbor/{kab}{href}")
        lines = list(csv.reader(io.StringIO((await resp.body()).decode("utf-8-sig"))))
        assert next(line for line in lines if line[0] == dot(busy))[5] == "1000000"
        href = await page.get_attribute("#export-xlsx", "href")
        resp = await fetched(page, f"{system.base_url}/dasbor/{kab}{href}")
        sheet = load_workbook(io.BytesIO(await resp.body())).active
        assert sheet is not None
        rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
        assert rows[dot(busy)][5] == 1_000_000
        assert rows[dot(quiet)][5] == 250_000
        await page.click(f"{row} td.wide a")
        await page.wait_for_load_state()
        assert page.url.startswith(f"{system.base_url}/dasbor/{kab}/{busy}")


async def test_a_camat_is_refused_the_kabupaten_page(system: System, browser: Browser) -> None:
    kab, busy, _, _ = await two_kecamatan(system)
    camat = await person(system, Role.CAMAT, kec=busy)
    async with page_of(browser, "kabupaten-camat") as page:
        await browser_sign_in(page, system.base_url, camat, f"/dasbor/{busy}")
        resp = await page.goto(f"{system.base_url}/dasbor/{kab}?tahun=2024")
        assert resp is not None
        assert resp.status == 403
        assert await page.locator("#kecamatan-table").count() == 0


async def test_a_province_admin_sees_the_kabupaten_among_the_others(
    system: System, browser: Browser
) -> None:
    kab, _, _, last = await two_kecamatan(system)
    async with system.client(system.token(Role.ADMIN)) as admin:
        view = await admin.get(f"/api/v1/{kab}/summary", params={"year": 2024, "wait_for": last})
        expected = view.json()["totals"]
    admin_person = await person(system, Role.ADMIN)
    async with page_of(browser, "province") as page:
        await browser_sign_in(page, system.base_url, admin_person, "/dasbor")
        # the test servers hold every test's kabupaten: the year is given, not looked for
        assert await page.get_attribute("#province-link", "href") == "/dasbor/provinsi"
        await page.goto(f"{system.base_url}/dasbor/provinsi?tahun=2024", timeout=90_000)
        row = f"#kabupaten-table tr[data-key='{kab}']"
        assert (
            rupiah(await text(page, f"{row} td[data-col=donations]")) == expected["donations_idr"]
        )
        assert await page.locator("figure.chart-box svg.chart").count() == 4
        href = await page.get_attribute("#export-csv", "href")
        resp = await fetched(page, f"{system.base_url}/dasbor/provinsi{href}")
        lines = list(csv.reader(io.StringIO((await resp.body()).decode("utf-8-sig"))))
        assert (
            int(next(line for line in lines if line[0] == dot(kab))[5]) == expected["donations_idr"]
        )
        await page.click(f"{row} td.wide a")
        await page.wait_for_load_state()
        assert page.url.startswith(f"{system.base_url}/dasbor/{kab}")
        assert await page.locator("#kecamatan-table").count() == 1
        assert await page.locator("#province-crumb").count() == 1


@pytest.mark.parametrize("size", SIZES)
async def test_anyone_reads_the_public_kabupaten_level(
    system: System, browser: Browser, size: str
) -> None:
    kab, busy, _, last = await two_kecamatan(system)
    async with system.client(system.token(Role.ADMIN)) as admin:
        await admin.get(f"/api/v1/{kab}/summary", params={"year": 2024, "wait_for": last})
    async with page_of(browser, "public-kabupaten", size) as page:
        await page.goto(f"{system.base_url}/transparansi/{kab}?tahun=2024")
        row = f"#public-kecamatan tr[data-kec='{dot(busy)}']"
        assert await text(page, f"{row} td[data-col=donations]") == "Rp 1.000.000"
        assert await text(page, f"{row} td[data-col=spent]") == "Rp 300.000"
        await fits(page)
        await page.click(f"{row} td.wide a")
        await page.wait_for_load_state()
        assert page.url.startswith(f"{system.base_url}/transparansi/{kab}/{busy}")
        await page.click("#kabupaten-level")
        await page.wait_for_load_state()
        assert page.url.startswith(f"{system.base_url}/transparansi/{kab}?")
