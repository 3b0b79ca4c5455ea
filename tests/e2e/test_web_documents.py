"""The signable documents end to end: the contract's two PDF paths (kuitansi and BAST) with
their access rules, and in Chromium the camat's buttons (kuitansi, BAST, round recap, SPJ)
and the recipients export for the Dinas Sosial, recorded in the log; an operator sees no
export. Every PDF is read back with pdftotext."""

from __future__ import annotations

import io
from typing import Any

import httpx
import openpyxl
import pytest
from playwright.async_api import Browser

from services.gateway.auth import Role
from shared.clock import jakarta_today
from shared.crypto import mask_name
from shared.tenancy import dot
from tests.e2e.conftest import System
from tests.e2e.test_api_support import UNITS, household_body
from tests.e2e.websupport import browser_sign_in, configure, fits, page_of, person
from tests.unit.gateway.test_report_formats import pdf_text

pytestmark = pytest.mark.e2e


async def handed_out(system: System, kab: str, kec: str) -> dict[str, Any]:
    """A named donation, a lot, a household with its package: the ids and the position."""
    await configure(system, kab, kec)
    today, desa = jakarta_today(), f"{dot(kec)}.2001"
    async with system.client(system.token(Role.ADMIN, kab=kab)) as admin:
        base = f"/api/v1/{kab}/{kec}"
        gift = {
            "unit": UNITS[0],
            "amount_idr": 1_250_000,
            "received_on": today.isoformat(),
            "donor": "Siti Dermawati",
        }
        donation = (await admin.post(f"{base}/donations", json=gift)).json()
        lot = {"packages": 5, "unit_price_idr": 100_000, "purchased_on": today.isoformat()}
        assert (
            await admin.post(f"{base}/procurements", json=lot | {"supplier": "Toko"})
        ).is_success
        body = household_body(kec, desa, name="Sarinah Wulandari")
        household = (await admin.post(f"{base}/households", json=body)).json()
        opened = {"desa": desa, "month": f"{today:%Y-%m}", "quota": 5}
        round_ = (await admin.post(f"{base}/rounds", json=opened)).json()
        sent = {"household_id": household["household_id"], "distributed_on": today.isoformat()}
        package = await admin.post(f"{base}/rounds/{round_['round_id']}/packages", json=sent)
        assert package.status_code == 201, package.text
    return {
        "donation_id": donation["donation_id"],
        "receipt_no": donation["receipt_no"],
        "round_id": round_["round_id"],
        "package": package.json(),
    }


async def test_the_contracts_pdf_paths_answer_pdfs_to_the_roles_allowed(
    system: System, tenant: tuple[str, str]
) -> None:
    kab, kec = tenant
    made = await handed_out(system, kab, kec)
    base = f"/api/v1/{kab}/{kec}"
    receipt = f"{base}/donations/{made['donation_id']}/receipt.pdf"
    bast = f"{base}/packages/{made['package']['package_id']}/bast.pdf"
    wait = {"wait_for": made["package"]["position"]}
    async with system.client(system.token(Role.BENDAHARA, kab=kab, kec=kec)) as bendahara:
        answer = await bendahara.get(receipt, params=wait)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    text = " ".join(pdf_text(answer.content).split())
    assert f"Nomor: {made['receipt_no']}/{jakarta_today().year}" in text
    assert "Siti Dermawati" in text
    assert "Satu juta dua ratus lima puluh ribu rupiah" in text
    assert "Halaman 1 dari 1" in text
    desa = f"{kec}2001"
    async with system.client(system.token(Role.OPERATOR, kab=kab, kec=kec, desa=desa)) as operator:
        assert (await operator.get(receipt)).status_code == 403, "a kuitansi names its donor"
        answer = await operator.get(bast, params=wait)
        assert answer.status_code == 200, answer.text
        text = " ".join(pdf_text(answer.content).split())
        assert f"Nomor: {made['package']['bast_no']}" in text
        assert "Sarinah" not in text, "the BAST shows the recipient masked"
        assert mask_name("Sarinah Wulandari") in text
    async with system.client(system.token(Role.ADMIN, kab=kab)) as admin:
        missing = await admin.get(f"{base}/packages/{made['round_id']}/bast.pdf")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"
    async with httpx.AsyncClient(base_url=system.base_url) as nobody:
        assert (await nobody.get(bast)).status_code == 401


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_the_camat_downloads_each_document_and_exports_recipients(
    system: System, browser: Browser, tenant: tuple[str, str], size: str
) -> None:
    kab, kec = tenant
    made = await handed_out(system, kab, kec)
    camat = await person(system, Role.CAMAT, kec=kec)
    area = f"/dasbor/{kab}/{kec}"
    year = jakarta_today().year
    async with page_of(browser, "documents", size) as page:
        at = f"{area}/paket/{made['package']['package_id']}?wait_for={made['package']['position']}"
        await browser_sign_in(page, system.base_url, camat, at)
        bast = await page.get_attribute("#bast-pdf", "href")
        await fits(page)
        await page.goto(f"{system.base_url}{area}/putaran/{made['round_id']}")
        recap = await page.get_attribute("[data-bast-recap]", "href")
        await page.goto(f"{system.base_url}{area}/dana/catat?tahun={year}")
        receipt = await page.get_attribute("[data-receipt-pdf]", "href")
        await fits(page)
        await page.goto(f"{system.base_url}{area}/laporan?tahun={year}")
        await fits(page)
        texts = {}
        for name, href in (("bast", bast), ("recap", recap), ("receipt", receipt)):
            assert href is not None
            answer = await page.context.request.get(system.base_url + href)
            assert answer.status == 200, name
            texts[name] = " ".join(pdf_text(await answer.body()).split())
        assert made["package"]["bast_no"] in texts["bast"]
        assert "REKAPITULASI BERITA ACARA SERAH TERIMA" in texts["recap"]
        assert "Siti Dermawati" in texts["receipt"]
        async with page.expect_download() as spj:
            await page.select_option("#spj-form select[name=bulan]", str(jakarta_today().month))
            await page.click("#spj-form button[type=submit]")
        spj_file = await (await spj.value).path()
        spj_text = " ".join(pdf_text(spj_file.read_bytes()).split())
        assert "LAPORAN PERTANGGUNGJAWABAN (SPJ) DANA JUMAT SMART" in spj_text
        assert "Rp 1.250.000" in spj_text
        async with page.expect_download() as exported:
            await page.click("#recipients-form button[type=submit]")
        workbook = (await (await exported.value).path()).read_bytes()
    sheet = openpyxl.load_workbook(io.BytesIO(workbook))[f"Penerima {year}"]
    names = [sheet.cell(r, 6).value for r in range(2, sheet.max_row)]
    assert names == ["Sarinah Wulandari"], "the only place a name is in clear"
    assert sheet.cell(2, 2).value == made["package"]["bast_no"]


async def test_an_operator_sees_no_export_and_may_not_post_one(
    system: System, browser: Browser, tenant: tuple[str, str]
) -> None:
    kab, kec = tenant
    await configure(system, kab, kec)
    operator = await person(system, Role.OPERATOR, kec=kec, desa=f"{dot(kec)}.2001")
    area = f"/dasbor/{kab}/{kec}"
    async with page_of(browser, "documents-operator") as page:
        await browser_sign_in(page, system.base_url, operator, f"{area}/putaran")
        csrf = await page.get_attribute("input[name=csrf]", "value")
        answer = await page.context.request.post(
            f"{system.base_url}{area}/dokumen/penerima", form={"csrf": csrf or "", "tahun": "2025"}
        )
        assert answer.status == 403
        assert "Sarinah" not in await answer.text()
