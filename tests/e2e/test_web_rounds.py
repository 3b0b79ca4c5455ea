"""Hand-out rounds in Chromium: an operator opens their desa's round, hands packages to the
suggested households in their order (a double submit hands out once) and closes it; an
auditor only reads; an operator of another desa does not see it. Desktop and phone sizes."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page

from services.gateway.auth import Role
from shared.clock import jakarta_today
from shared.tenancy import dot
from tests.e2e.conftest import System
from tests.e2e.test_api_support import UNITS, household_body
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
DESIL = (4, 1, 3, 2)


async def stocked(system: System, kab: str, kec: str) -> int:
    """A kecamatan with 10 packages in stock and four households in its first desa (desil
    4, 1, 3, 2) and one in its second; the log position reached."""
    await configure(system, kab, kec)
    desa, today = [f"{dot(kec)}.{2001 + i}" for i in range(2)], jakarta_today().isoformat()
    async with system.client(system.token(Role.ADMIN, kab=kab)) as admin:
        base = f"/api/v1/{kab}/{kec}"
        gift = {"unit": UNITS[0], "amount_idr": 2_000_000, "received_on": today}
        assert (await admin.post(f"{base}/donations", json=gift)).status_code == 201
        lot = {"packages": 10, "unit_price_idr": 100_000, "purchased_on": today, "supplier": "Toko"}
        assert (await admin.post(f"{base}/procurements", json=lot)).status_code == 201
        for i, desil in enumerate((*DESIL, 1)):
            body = household_body(kec, desa[0] if i < len(DESIL) else desa[1], desil=desil)
            resp = await admin.post(f"{base}/households", json=body)
            assert resp.status_code == 201, resp.text
        return int(resp.json()["position"])


async def desils(page: Page) -> list[int]:
    return [
        int(d) for d in await page.locator("#suggestions tbody td:nth-child(4)").all_inner_texts()
    ]


@pytest.mark.parametrize("size", SIZES)
async def test_an_operator_opens_a_round_hands_out_in_order_and_closes_it(
    system: System, browser: Browser, tenant: tuple[str, str], size: str
) -> None:
    kab, kec = tenant
    position = await stocked(system, kab, kec)
    operator = await person(system, Role.OPERATOR, kec=kec, desa=f"{dot(kec)}.2001")
    async with page_of(browser, "round", size) as page:
        await browser_sign_in(
            page, system.base_url, operator, f"/dasbor/{kab}/{kec}/putaran?wait_for={position}"
        )
        assert await page.locator(
            "#open-round-form select[name=desa] option"
        ).all_inner_texts() == ["Sukamaju"]
        assert await page.input_value("input[name=month]") == f"{jakarta_today():%Y-%m}"
        await page.fill("input[name=quota]", "0")
        await submit(page, "#open-round-form button[type=submit]")
        assert await text(page, '[data-error="quota"]') == "Kuota harus angka 1 sampai 100.000"
        await fits(page)
        await page.fill("input[name=quota]", "3")
        await submit(page, "#open-round-form button[type=submit]")
        assert await text(page, "#notice") == "Putaran dibuka."
        assert await desils(page) == [1, 2, 3, 4], "the suggestions in their desil order"
        assert await text(page, '[data-figure="round-packages"]') == "0 / 3"
        await fits(page)
        first = page.locator("#suggestions tbody tr").first
        household = await first.get_attribute("data-household")
        form: dict[str, str | float | bool] = {
            name: await first.locator(f"input[name={name}]").input_value()
            for name in ("csrf", "idem", "household_id", "distributed_on")
        }
        await submit(page, "#suggestions tbody tr >> nth=0 >> button")
        bast = f"BAST/{kec}/{jakarta_today().year}/1"
        assert await text(page, "#notice") == f"Paket diserahkan: {bast}."
        assert await text(page, "#packages tbody tr >> nth=0 >> code") == bast
        assert await text(page, '[data-figure="round-packages"]') == "1 / 3"
        assert await desils(page) == [2, 3, 4]
        assert await page.locator(f'#suggestions tr[data-household="{household}"]').count() == 0
        action = f"{system.base_url}/dasbor/{kab}/{kec}/putaran/{round_id(page)}/paket"
        again = await page.context.request.post(action, form=form, max_redirects=0)
        assert again.status == 303, "the same form sent again answers its first answer"
        await page.reload()
        assert await text(page, '[data-figure="round-packages"]') == "1 / 3", "handed out once"
        assert await text(page, '[data-figure="stock"]') == "9"
        await submit(page, "#close-round button[type=submit]")
        assert await text(page, "#notice") == "Putaran ditutup."
        assert await text(page, '[data-figure="round-status"]') == "Ditutup"
        assert await page.locator("#suggestions").count() == 0
        assert await page.locator("main form[method=post]").count() == 0
        await fits(page)


def round_id(page: Page) -> str:
    found = re.search(r"/putaran/([0-9a-f-]{36})", page.url)
    assert found is not None, page.url
    return found.group(1)


async def test_an_auditor_reads_a_round_and_another_desa_does_not_see_it(
    system: System, browser: Browser, tenant: tuple[str, str]
) -> None:
    kab, kec = tenant
    await stocked(system, kab, kec)
    async with system.client(system.token(Role.ADMIN, kab=kab)) as admin:
        body = {"desa": f"{dot(kec)}.2001", "month": f"{jakarta_today():%Y-%m}", "quota": 2}
        opened = await admin.post(f"/api/v1/{kab}/{kec}/rounds", json=body)
        assert opened.status_code == 201, opened.text
    made = opened.json()
    url = f"/dasbor/{kab}/{kec}/putaran/{made['round_id']}?wait_for={made['position']}"
    auditor = await person(system, Role.AUDITOR, kab=kab)
    async with page_of(browser, "round-auditor", "phone") as page:
        await browser_sign_in(page, system.base_url, auditor, url)
        assert await desils(page) == [1, 2, 3, 4]
        assert await page.locator("main form[method=post]").count() == 0, "no hand-out, no close"
        await page.goto(f"{system.base_url}/dasbor/{kab}/{kec}/putaran")
        assert await page.locator("#open-round-form").count() == 0
        assert await page.locator("#rounds tbody tr[data-round]").count() == 1
        await fits(page)
    other = await person(system, Role.OPERATOR, kec=kec, desa=f"{dot(kec)}.2002")
    async with page_of(browser, "round-other-desa", "desktop") as page:
        await browser_sign_in(page, system.base_url, other, f"/dasbor/{kab}/{kec}/putaran")
        assert await page.locator("#rounds tbody tr[data-round]").count() == 0
        answer = await page.goto(f"{system.base_url}{url}")
        assert answer is not None
        assert answer.status == 404, "another desa's round is not there for this operator"
