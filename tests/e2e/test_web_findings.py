"""Findings in Chromium: a camat records one, follows it up, resolves it, dismisses another; an
auditor and an operator are offered no write. Then the small things: the kecamatan page and
the public page open on the latest year with figures, codes are words, a phone reads it all."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from services.gateway.auth import Role
from shared.clock import jakarta_today
from shared.tenancy import dot
from tests.e2e.conftest import System
from tests.e2e.test_api_support import UNITS
from tests.e2e.websupport import (
    browser_sign_in,
    configure,
    fits,
    page_of,
    person,
    submit,
    text,
)

pytestmark = pytest.mark.e2e
SIZES = ["desktop", "phone"]


async def recorded(system: System, kab: str, kec: str, found_on: str) -> tuple[str, int]:
    """A finding recorded over the API: its id and the log position."""
    body = {
        "unit": UNITS[0],
        "category": "GRATIFIKASI",
        "severity": "BERAT",
        "found_on": found_on,
        "source": "PENGADUAN",
        "description": "Pungutan di luar ketentuan saat pelayanan KTP.",
    }
    async with system.client(system.token(Role.ADMIN, kab=kab)) as admin:
        resp = await admin.post(f"/api/v1/{kab}/{kec}/findings", json=body)
        assert resp.status_code == 201, resp.text
        return str(resp.json()["finding_id"]), int(resp.json()["position"])


@pytest.mark.parametrize("size", SIZES)
async def test_a_camat_records_follows_up_and_resolves_a_finding(
    system: System, browser: Browser, tenant: tuple[str, str], size: str
) -> None:
    kab, kec = tenant
    position = await configure(system, kab, kec)
    camat = await person(system, Role.CAMAT, kec=kec)
    year = str(jakarta_today().year)
    async with page_of(browser, "finding", size) as page:
        await browser_sign_in(
            page, system.base_url, camat, f"/dasbor/{kab}/{kec}/temuan?wait_for={position}"
        )
        await page.click("#record-finding")
        await page.select_option("select[name=unit]", f"{dot(kec)}.2002")
        await page.select_option("select[name=category]", "KEHADIRAN")
        await page.select_option("select[name=severity]", "RINGAN")
        await fits(page)
        await submit(page, "#finding-form button[type=submit]")
        assert await text(page, '[data-error="description"]') == "Uraian wajib diisi"
        assert await page.input_value("select[name=unit]") == f"{dot(kec)}.2002", "kept as chosen"
        await page.fill("textarea[name=description]", "Dua perangkat desa tidak hadir saat apel.")
        await submit(page, "#finding-form button[type=submit]")
        assert await text(page, "#notice") == "Temuan tercatat."
        assert await text(page, f'[data-figure="findings-{year}"]') == "1"
        row = await page.locator("#open-findings tbody tr td").all_inner_texts()
        assert row[1:] == ["Tegalrejo", "Kehadiran", "Ringan", "Kunjungan Serasa Desa", "Tercatat"]
        await fits(page)
        await page.click("#open-findings tbody a")
        await page.fill("#act-tindak-lanjut textarea[name=action]", "Teguran lisan oleh sekcam.")
        await submit(page, "#act-tindak-lanjut button[type=submit]")
        assert await text(page, "#notice") == "Tindak lanjut tercatat."
        assert (await text(page, '[data-figure="finding-status"]')).startswith("Ditindaklanjuti")
        await submit(page, "#act-selesai button[type=submit]")
        assert await text(page, '#act-selesai [data-error="action"]') == "Tindakan wajib diisi"
        assert await page.locator("#act-tolak [data-error]").count() == 0, "only that form's error"
        await page.fill("#act-selesai textarea[name=action]", "Sudah hadir penuh sebulan.")
        await submit(page, "#act-selesai button[type=submit]")
        assert await text(page, "#notice") == "Temuan diselesaikan."
        assert await text(page, '[data-figure="findings-open"]') == "0"
        assert await text(page, f'[data-figure="findings-{year}"]') == "1", "resolved still counts"
        await fits(page)


async def test_a_dismissed_finding_leaves_the_counts(
    system: System, browser: Browser, tenant: tuple[str, str]
) -> None:
    kab, kec = tenant
    await configure(system, kab, kec)
    finding, position = await recorded(system, kab, kec, jakarta_today().isoformat())
    camat = await person(system, Role.CAMAT, kec=kec)
    year = str(jakarta_today().year)
    async with page_of(browser, "finding-dismiss", "phone") as page:
        await browser_sign_in(
            page,
            system.base_url,
            camat,
            f"/dasbor/{kab}/{kec}/temuan/{finding}?wait_for={position}",
        )
        facts = await text(page, "#finding-facts")
        for words in ("Gratifikasi", "Berat", "Pengaduan warga", "Tercatat"):
            assert words in facts
        for code in ("GRATIFIKASI", "BERAT", "PENGADUAN", "RECORDED"):
            assert code not in facts
        await page.fill("#act-tolak textarea[name=reason]", "Pelapor mencabut; tidak terbukti.")
        await submit(page, "#act-tolak button[type=submit]")
        assert await text(page, "#notice") == "Temuan ditolak."
        assert await page.locator(f'[data-figure="findings-{year}"]').count() == 0
        assert await text(page, '[data-figure="findings-open"]') == "0"
        await fits(page)


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.OPERATOR])
async def test_an_auditor_or_an_operator_is_offered_no_finding_write(
    system: System, browser: Browser, tenant: tuple[str, str], role: Role
) -> None:
    kab, kec = tenant
    await configure(system, kab, kec)
    finding, position = await recorded(system, kab, kec, jakarta_today().isoformat())
    area = {"kab": kab} if role is Role.AUDITOR else {"kec": kec, "desa": f"{dot(kec)}.2001"}
    who = await person(system, role, **area)
    base = f"/dasbor/{kab}/{kec}/temuan"
    async with page_of(browser, f"finding-{role.value}", "desktop") as page:
        await browser_sign_in(page, system.base_url, who, f"{base}?wait_for={position}")
        assert await page.locator("#open-findings tbody tr[data-finding]").count() == 1
        assert await page.locator("#record-finding").count() == 0
        await page.goto(f"{system.base_url}{base}/{finding}")
        assert await page.locator("#finding-facts").count() == 1
        assert await page.locator("main form[method=post]").count() == 0
        answer = await page.goto(f"{system.base_url}{base}/baru")
        assert answer is not None
        assert answer.status == 403


async def test_the_pages_open_on_the_latest_year_with_figures_and_fit_a_phone(
    system: System, browser: Browser, tenant: tuple[str, str]
) -> None:
    kab, kec = tenant
    await configure(system, kab, kec)
    last_year = jakarta_today().year - 2
    _, position = await recorded(system, kab, kec, f"{last_year}-03-02")
    camat = await person(system, Role.CAMAT, kec=kec)
    async with page_of(browser, "latest-year", "phone") as page:
        await browser_sign_in(
            page, system.base_url, camat, f"/dasbor/{kab}/{kec}?wait_for={position}"
        )
        assert await text(page, "h1") == f"Ringkasan {last_year}", "not this year's zeros"
        assert await text(page, '[data-figure="findings-year"]') == "1"
        await fits(page)
        tabs = page.locator("nav.tabs")
        box = await tabs.bounding_box()
        link = await tabs.locator("a").first.bounding_box()
        assert box is not None
        assert link is not None
        assert box["height"] < 2 * link["height"], "the menu is one line (it scrolls sideways)"
        sizes = await page.eval_on_selector_all(
            "svg.chart text.label", "els => els.map(e => e.getBoundingClientRect().height)"
        )
        assert sizes, "the charts have axis labels"
        assert min(sizes) >= 9, f"chart labels readable on a phone: {min(sizes)} px"
        await page.goto(f"{system.base_url}/dasbor/{kab}/{kec}/sistem")
        services = await page.locator("#services td[data-service]").all_inner_texts()
        assert services == [
            "Jadwal kegiatan",
            "Dana dan donasi",
            "Penyaluran paket",
            "Temuan dan pengawasan",
        ]
        assert "Proyektor" not in await text(page, "#services")
        await fits(page)
    async with page_of(browser, "latest-year-public", "phone") as page:
        await page.goto(f"{system.base_url}/transparansi/{kab}/{kec}")
        assert (await text(page, "h1")).endswith(str(last_year))
        assert await text(page, '[data-figure="findings"]') == "1"
        await fits(page)


@pytest.mark.parametrize("size", SIZES)
async def test_a_finding_about_a_village_official_offers_their_sanctions_and_counts_repeats(
    system: System, browser: Browser, tenant: tuple[str, str], size: str
) -> None:
    kab, kec = tenant
    position = await configure(system, kab, kec)
    camat = await person(system, Role.CAMAT, kec=kec)
    base = f"/dasbor/{kab}/{kec}/temuan"
    nip = "19800101 200501 1 001"
    async with page_of(browser, "finding-village", size) as page:
        await browser_sign_in(page, system.base_url, camat, f"{base}/baru?wait_for={position}")
        assert await page.input_value("select[name=subject_type]") == "ASN", "the default"
        for found_on, official in (("2023-02-01", nip), ("2024-01-10", nip.replace(" ", ""))):
            await page.goto(f"{system.base_url}{base}/baru")
            await page.select_option("select[name=unit]", f"{dot(kec)}.2001")
            await page.select_option("select[name=subject_type]", "KEPALA_DESA")
            await page.select_option("select[name=category]", "ETIKA")
            await page.select_option("select[name=severity]", "BERAT")
            await page.fill("input[name=found_on]", found_on)
            await page.fill("textarea[name=description]", "Kepala desa memungut biaya surat.")
            await page.fill("input[name=official]", official)
            await fits(page)
            await submit(page, "#finding-form button[type=submit]")
            assert await text(page, "#notice") == "Temuan tercatat."
        assert await text(page, '[data-figure="repeat-officials"]') == "1"
        subjects = await page.locator("#by-subject-type tbody tr").all_inner_texts()
        assert [s.split("\t") for s in subjects] == [
            ["ASN", "0"],
            ["Kepala desa", "2"],
            ["Perangkat desa", "0"],
        ]
        assert "19800101" not in await page.content(), "the NIP is never shown"
        await fits(page)
        await page.click("#open-findings tbody a")
        assert await text(page, '[data-figure="finding-subject"]') == "Kepala desa"
        offered = await page.eval_on_selector_all(
            "#act-tindak-lanjut select[name=sanction] option", "os => os.map(o => o.value)"
        )
        assert offered == [
            "",
            "TEGURAN_LISAN",
            "TEGURAN_TERTULIS",
            "PEMBERHENTIAN_SEMENTARA",
            "PEMBERHENTIAN",
        ], "UU 6/2014, whatever the severity; none of PP 94/2021's"
        assert "UU 6/2014" in await text(page, "#act-tindak-lanjut")
        await page.fill("#act-tindak-lanjut textarea[name=action]", "Dipanggil camat.")
        await page.select_option("#act-tindak-lanjut select[name=sanction]", "TEGURAN_TERTULIS")
        await fits(page)
        await submit(page, "#act-tindak-lanjut button[type=submit]")
        assert await text(page, "#notice") == "Tindak lanjut tercatat."
        assert "19800101" not in await page.content()


async def test_an_asn_findings_sanctions_follow_its_severity(
    system: System, browser: Browser, tenant: tuple[str, str]
) -> None:
    kab, kec = tenant
    await configure(system, kab, kec)
    finding, position = await recorded(system, kab, kec, jakarta_today().isoformat())
    camat = await person(system, Role.CAMAT, kec=kec)
    async with page_of(browser, "finding-asn", "desktop") as page:
        await browser_sign_in(
            page,
            system.base_url,
            camat,
            f"/dasbor/{kab}/{kec}/temuan/{finding}?wait_for={position}",
        )
        offered = await page.eval_on_selector_all(
            "#act-tindak-lanjut select[name=sanction] option", "os => os.map(o => o.value)"
        )
        assert offered == ["", "TURUN_JABATAN_12B", "BEBAS_JABATAN_12B", "PEMBERHENTIAN"]
        assert "PP 94/2021" in await text(page, "#act-tindak-lanjut")
        assert await text(page, '[data-figure="finding-subject"]') == "ASN"
