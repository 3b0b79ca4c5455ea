"""Households and the registry import in Chromium: an operator confined to their desa adds,
changes and forgets; a camat searches, sorts and pages; an auditor only reads. Desktop and
phone sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, FilePayload, Locator, Page

from services.gateway.auth import Role
from shared.contracts.distribution import RegisterHousehold
from shared.tenancy import dot
from tests.e2e.conftest import System
from tests.e2e.test_api_support import household_body
from tests.e2e.websupport import (
    browser_sign_in,
    configure,
    fits,
    page_of,
    person,
    text,
)

pytestmark = pytest.mark.e2e
SIZES = ["desktop", "phone"]


async def submit(page: Page, form: str) -> None:
    async with page.expect_navigation():
        await page.click(f"{form} button[type=submit]")


def desa_of(kec: str) -> list[str]:
    return [f"{dot(kec)}.{2001 + i}" for i in range(3)]


@pytest.mark.parametrize("size", SIZES)
async def test_an_operator_adds_a_household_changes_its_aid_and_forgets_it(
    system: System, browser: Browser, tenant: tuple[str, str], size: str
) -> None:
    kab, kec = tenant
    desa = desa_of(kec)
    position = await configure(system, kab, kec)
    operator = await person(system, Role.OPERATOR, kec=kec, desa=desa[0])
    base = f"/dasbor/{kab}/{kec}/rumah-tangga"
    async with page_of(browser, "household-add", size) as page:
        await browser_sign_in(page, system.base_url, operator, f"{base}?wait_for={position}")
        assert "Sukamaju" in await text(page, "h1"), "the operator's own desa is the list's"
        assert await page.locator("select[name=desa]").count() == 0, "no other desa to pick"
        await page.click("#add-household")
        await page.wait_for_url("**/rumah-tangga/baru")
        assert await page.locator("select[name=desa] option").all_inner_texts() == [
            f"Sukamaju ({desa[0]})"
        ]
        body = household_body(kec, desa[0])
        await page.fill("input[name=no_kk]", body["no_kk"][:15])
        await page.fill("input[name=nik]", body["nik"])
        await page.fill("input[name=name]", "Sri Wahyuni")
        await page.fill("textarea[name=address]", "Dusun Krajan RT 02")
        await page.select_option("select[name=desil]", "2")
        await page.check("input[name=aid][value=PBI_JK]")
        await fits(page)
        await submit(page, "#household-form")
        error = await text(page, '[data-error="no_kk"]')
        assert error == "No. KK harus 16 angka, tanpa spasi atau titik"
        assert await page.input_value("input[name=name]") == "Sri Wahyuni", "what was typed stays"
        assert await page.locator("input[value=PBI_JK]").is_checked()
        await page.fill("input[name=no_kk]", body["no_kk"])
        await submit(page, "#household-form")
        assert await text(page, "#notice") == "Rumah tangga tersimpan."
        assert await text(page, '[data-figure="aid"]') == "PBI JK (BPJS Kesehatan)"
        assert await text(page, '[data-figure="eligible"]') == "Ya"
        facts = await text(page, "#household-facts")
        assert body["nik"] not in facts, "never the clear NIK"
        assert f"{body['nik'][:4]}********{body['nik'][-4:]}" in facts
        await fits(page)
        await page.check("#aid-form input[value=PKH]")
        await submit(page, "#aid-form")
        assert await text(page, "#notice") == "Bantuan rumah tangga diperbarui."
        aid = await text(page, '[data-figure="aid"]')
        assert aid == "PKH (Program Keluarga Harapan), PBI JK (BPJS Kesehatan)"
        assert await text(page, '[data-figure="eligible"]') == "Tidak", "PKH: not a recipient"
        await page.click("#forget-link")
        confirm = await text(page, "#forget-confirm")
        assert "tidak dapat dibuka lagi" in confirm
        assert "tidak dapat dibatalkan" in confirm
        await fits(page)
        await submit(page, "#forget-confirm")
        assert "dilupakan" in await text(page, "#notice")
        row = page.locator("#households tbody tr")
        assert await row.count() == 1
        assert "Dilupakan" in await row.inner_text()
        assert await page.locator("#households tbody tr.gone").count() == 1


async def registered(system: System, kab: str, kec: str, n: int) -> list[dict[str, object]]:
    """`n` households registered over the API in the first two desa, desil 1..10 in turn."""
    desa, made = desa_of(kec), []
    async with system.client(system.token(Role.ADMIN, kab=kab)) as admin:
        for i in range(n):
            body = household_body(kec, desa[i % 2], desil=i % 10 + 1)
            resp = await admin.post(f"/api/v1/{kab}/{kec}/households", json=body)
            assert resp.status_code == 201, resp.text
            made.append({**body, "position": resp.json()["position"]})
    return made


@pytest.mark.parametrize("size", SIZES)
async def test_a_camat_searches_sorts_and_pages_the_households(
    system: System, browser: Browser, tenant: tuple[str, str], size: str
) -> None:
    kab, kec = tenant
    await configure(system, kab, kec)
    made = await registered(system, kab, kec, 30)
    camat = await person(system, Role.CAMAT, kec=kec)
    base = f"/dasbor/{kab}/{kec}/rumah-tangga"
    rows = "#households tbody tr"
    async with page_of(browser, "household-search", size) as page:
        await browser_sign_in(
            page, system.base_url, camat, f"{base}?wait_for={made[-1]['position']}"
        )
        assert await page.locator(rows).count() == 25, "a page holds 25, not all 30"
        assert await text(page, "#households-count") == "Menampilkan 1–25 dari 30 rumah tangga"
        await fits(page)
        await page.click("a[rel=next]")
        assert await page.locator(rows).count() == 5
        suffix = str(made[7]["nik"])[-4:]
        expected = sum(str(m["nik"]).endswith(suffix) for m in made)
        await page.fill("input[name=nik]", suffix)
        await submit(page, "#household-search")
        assert await page.locator(rows).count() == expected
        assert suffix in await text(page, rows)
        await page.goto(f"{system.base_url}{base}?desa={desa_of(kec)[1]}&urut=desil")
        desil = [int(d) for d in await page.locator(f"{rows} td:nth-child(4)").all_inner_texts()]
        assert len(desil) == 15, "only the chosen desa's"
        assert desil == sorted(desil)
        assert desil[0] == 2
        initials = "".join(w[0] for w in str(made[0]["name"]).split())
        await page.goto(f"{system.base_url}{base}?inisial={initials}")
        names = await page.locator(f"{rows} td:first-child").all_inner_texts()
        want = sum("".join(w[0] for w in str(m["name"]).split()) == initials for m in made)
        assert len(names) == min(want, 25)
        assert all("".join(w[0] for w in n.split()) == initials for n in names)
        await fits(page)


async def test_an_auditor_reads_the_households_and_is_offered_no_write(
    system: System, browser: Browser, tenant: tuple[str, str]
) -> None:
    kab, kec = tenant
    await configure(system, kab, kec)
    made = await registered(system, kab, kec, 2)
    auditor = await person(system, Role.AUDITOR, kab=kab)
    base = f"/dasbor/{kab}/{kec}/rumah-tangga"
    async with page_of(browser, "household-auditor", "phone") as page:
        await browser_sign_in(
            page, system.base_url, auditor, f"{base}?wait_for={made[-1]['position']}"
        )
        assert await page.locator("#households tbody tr").count() == 2
        assert await page.locator("#add-household").count() == 0
        await page.click("#households tbody a >> nth=0")
        assert await page.locator("#household-facts").count() == 1
        assert await page.locator("#aid-form").count() == 0
        assert await page.locator("#forget-link").count() == 0
        assert await page.locator("main form[method=post]").count() == 0
        for path in ("/baru", f"/{page.url.rsplit('/', 1)[1]}/lupakan"):
            answer = await page.goto(f"{system.base_url}{base}{path}")
            assert answer is not None
            assert answer.status == 403
        answer = await page.goto(f"{system.base_url}/dasbor/{kab}/{kec}/impor")
        assert answer is not None
        assert answer.status == 403


BAD_CSV = """no_kk,nik,name,desa,address,desil,registry,snapshot_date,aid
{kk}1,3520054101900,Joko Santoso,{desa},Dusun Krajan,3,DTSEN,2025-01-01,PKH
{kk}2,{nik}2,,{desa},Dusun Krajan,4,DTSEN,2025-01-01,
{kk}3,{nik}3,Siti Aminah,{desa},Dusun Krajan,3,DTKX,2025-01-01,
{kk}4,{nik}4,Siti Aminah,{desa},Dusun Krajan,3,DTSEN,2025-01-01,PKH|KIS
{kk}5,{nik}5,Sri Astuti,{desa},Dusun Krajan,5,DTSEN,2025-01-01,BLT_DD|PBI_JK
"""


@pytest.mark.parametrize("size", SIZES)
async def test_the_import_page_offers_a_template_every_value_and_plain_errors(
    system: System, browser: Browser, tenant: tuple[str, str], size: str
) -> None:
    kab, kec = tenant
    desa = desa_of(kec)
    position = await configure(system, kab, kec)
    operator = await person(system, Role.OPERATOR, kec=kec, desa=desa[0])
    number = household_body(kec, desa[0])
    csv = BAD_CSV.format(kk=number["no_kk"][:15], nik=number["nik"][:15], desa=desa[0])
    async with page_of(browser, "import", size) as page:
        await browser_sign_in(
            page, system.base_url, operator, f"/dasbor/{kab}/{kec}/impor?wait_for={position}"
        )
        async with page.expect_download() as download:
            await page.click("#import-template")
        template = Path(await (await download.value).path()).read_text()
        assert template.strip() == ",".join(RegisterHousehold.model_fields)
        aid = await page.locator("#allowed-aid code").all_inner_texts()
        assert aid == ["PKH", "BPNT", "BLT_DD", "PBI_JK", "OTHER"]
        assert await page.locator("#allowed-registry code").all_inner_texts() == ["DTKS", "DTSEN"]
        assert "1 sampai 10" in await text(page, "#allowed-desil")
        assert await page.locator("#allowed-desa code").all_inner_texts() == [desa[0]]
        await fits(page)
        upload = FilePayload(name="dtsen.csv", mimeType="text/csv", buffer=csv.encode())
        await page.set_input_files("input[name=file]", files=[upload])
        await page.click("#import-form button[type=submit]")
        await page.wait_for_selector("#import-result")
        assert await text(page, '[data-figure="accepted"]') == "1"
        assert await text(page, '[data-figure="rejected"]') == "4"
        cells = [await r.all_inner_texts() for r in await rejected_rows(page)]
        assert cells == [
            ["2", "NIK", "NIK harus 16 angka, tanpa spasi atau titik"],
            ["3", "Nama kepala keluarga", "Nama kepala keluarga wajib diisi"],
            ["4", "Basis data", "Basis data harus DTKS atau DTSEN"],
            [
                "5",
                "Bantuan",
                "Bantuan hanya boleh berisi PKH, BPNT, BLT_DD, PBI_JK atau OTHER, dipisah tanda |",
            ],
        ]
        shown = await text(page, "#rejected")
        for raw in ("pattern", "^[0-9]", "'nik'", "String should", "Field '"):
            assert raw not in shown
        await fits(page)
        await page.click("a.lang")
        await page.set_input_files("input[name=file]", files=[upload])
        await page.click("#import-form button[type=submit]")
        await page.wait_for_selector("#import-result")
        first = await (await rejected_rows(page))[0].all_inner_texts()
        assert first == [
            "2",
            "NIK (ID number)",
            "NIK (ID number) must be 16 digits, no spaces or dots",
        ]
        last = await (await rejected_rows(page))[-1].all_inner_texts()
        assert last[0] == "6", "the line saved before is refused as a duplicate, not saved twice"


async def rejected_rows(page: Page) -> list[Locator]:
    rows = await page.locator("#rejected tbody tr").all()
    return [row.locator("td") for row in rows]
