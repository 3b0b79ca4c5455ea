"""The admin's users page in Chromium (add, disable, reset) and `smart user` on the machine."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser

from services.gateway.auth import Role
from shared.tenancy import dot
from tests.e2e.conftest import System
from tests.e2e.websupport import (
    SIZES,
    browser_sign_in,
    configure,
    fits,
    page_of,
    person,
    sign_in,
    smart,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("size", list(SIZES))
async def test_the_admin_adds_disables_and_resets_a_user(
    system: System, browser: Browser, tenant: tuple[str, str], size: str
) -> None:
    kab, kec = tenant
    await configure(system, kab, kec)
    admin = await person(system, Role.ADMIN)
    name, desa = f"op-{kec}-{size}", f"{dot(kec)}.2002"
    async with page_of(browser, "users", size) as page:
        await browser_sign_in(page, system.base_url, admin, "/dasbor")
        await page.click("#users-link")
        await page.wait_for_selector("#add-user-form")
        await fits(page)
        form = page.locator("#add-user-form")
        await form.locator("input[name=username]").fill(name)
        await form.locator("input[name=password]").fill("kata-sandi-awal")
        await form.locator("select[name=role]").select_option("operator")
        await form.locator("input[name=kec]").fill(kec)
        await form.locator("button[type=submit]").click()
        assert "butuh kode desa" in await page.locator('[data-error="desa"]').inner_text()
        assert await form.locator("input[name=username]").input_value() == name, "kept as typed"
        await form.locator("input[name=password]").fill("kata-sandi-awal")
        await form.locator("input[name=desa]").fill(desa)
        await form.locator("button[type=submit]").click()
        await page.wait_for_selector("#notice")
        assert await page.locator("#notice").inner_text() == f"Pengguna {name} ditambahkan."
        row = page.locator(f'tr[data-user="{name}"]')
        assert "Operator desa" in await row.inner_text()
        assert desa.replace(".", "") in await row.inner_text()
        async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as operator:
            assert (await sign_in(operator, name, "kata-sandi-awal")).status_code == 303
            assert (await operator.get(f"/dasbor/{kab}/{kec}")).status_code == 200
            await row.locator(".disable-form button").click()
            await page.wait_for_selector("#notice")
            assert "dinonaktifkan" in await page.locator("#notice").inner_text()
            assert "Nonaktif" in await row.inner_text()
            assert (await operator.get(f"/dasbor/{kab}/{kec}")).status_code == 401
            assert (await sign_in(operator, name, "kata-sandi-awal")).status_code == 401
        await row.locator("input[name=password]").fill("kata-sandi-baru")
        await row.locator(".reset-form button").click()
        await page.wait_for_selector("#notice")
        assert "diganti" in await page.locator("#notice").inner_text()
        assert "Aktif" in await page.locator(f'tr[data-user="{name}"]').inner_text()
        mine = page.locator(f'tr[data-user="{admin[0]}"]')
        assert await mine.locator(".disable-form").count() == 0, "no way to lock oneself out"
        await fits(page)
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as operator:
        assert (await sign_in(operator, name, "kata-sandi-lama")).status_code == 401
        assert (await sign_in(operator, name, "kata-sandi-baru")).status_code == 303


async def test_only_the_admin_opens_the_users_page(system: System, tenant: tuple[str, str]) -> None:
    kab, kec = tenant
    await configure(system, kab, kec)
    camat = await person(system, Role.CAMAT, kec=kec)
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
        assert (await sign_in(client, *camat)).status_code == 303
        assert (await client.get("/admin/pengguna")).status_code == 403
        overview = await client.get(f"/dasbor/{kab}/{kec}")
        assert overview.status_code == 200
        assert "/admin/pengguna" not in overview.text


async def test_the_machines_owner_lists_resets_and_disables_users(system: System) -> None:
    who = await person(system, Role.AUDITOR)
    code, listed = await smart(system, "user", "list")
    assert code == 0, listed
    assert f"{who[0]}: auditor of all areas" in listed
    code, out = await smart(
        system, "user", "passwd", "--username", who[0], "--password-stdin", stdin=b"pulih-lagi-2\n"
    )
    assert code == 0, out
    async with httpx.AsyncClient(base_url=system.base_url, timeout=30) as client:
        assert (await sign_in(client, who[0], who[1])).status_code == 401
        assert (await sign_in(client, who[0], "pulih-lagi-2")).status_code == 303
        assert (await client.get("/dasbor")).status_code == 200
        code, out = await smart(system, "user", "disable", "--username", who[0])
        assert code == 0, out
        assert "(disabled)" in out
        assert (await client.get("/dasbor")).status_code == 401, "the open session ended"
    code, out = await smart(system, "user", "disable", "--username", "nobody-such")
    assert code == 2
    assert "no user nobody-such" in out
