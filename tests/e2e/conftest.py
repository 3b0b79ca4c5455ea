"""A whole system started as `smart up` starts it (services + gateway) on the test infra."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from services.cli.up import run_services, stop_services
from services.gateway.auth import Role, issue_token
from services.gateway.server import start_gateway
from shared.config import Settings
from shared.infra.local import Endpoints
from shared.infra.ports import free_port

SECRET = "e2e-secret"
CHROMIUM = "/usr/bin/chromium"
"""Debian's Chromium: Playwright downloads no browser here (`.ci/run` installs it)."""
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
E2E_KABUPATEN = ("3520", "9301", "9302", "9303", "9304")
_POOL = [f"{k}{n:02d}" for k in E2E_KABUPATEN[1:] for n in range(1, 100)]
_KECAMATAN = iter(random.sample(_POOL, len(_POOL)))  # Magetan (3520) is the demo's


@dataclass
class System:
    base_url: str
    settings: Settings

    def token(
        self, role: Role, *, kab: str | None = None, kec: str | None = None, desa: str | None = None
    ) -> str:
        return issue_token(SECRET, sub=f"e2e-{role.value}", role=role, kab=kab, kec=kec, desa=desa)

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=30)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def system(infra: Endpoints) -> AsyncIterator[System]:
    settings = Settings(
        nats_url=infra.nats_url,
        database_url=infra.database_url,
        credentials_dir=infra.credentials,
        secret_key=SECRET,
        kabupaten=",".join(E2E_KABUPATEN),
    )
    runtimes = await run_services(settings)
    port = free_port()
    gateway = await start_gateway(settings, port)
    try:
        yield System(f"http://127.0.0.1:{port}", settings)
    finally:
        await gateway.stop()
        await stop_services(runtimes)


@pytest.fixture
def tenant() -> tuple[str, str]:
    """A fresh kecamatan (kab, kec) of the kabupaten the e2e system serves."""
    kec = next(_KECAMATAN)
    return kec[:4], kec


@pytest_asyncio.fixture
async def api(system: System, tenant: tuple[str, str]) -> AsyncIterator[Any]:
    """An admin client of a fresh, configured kecamatan (tests/e2e/test_api_support.py)."""
    from tests.e2e.test_api_support import new_api  # noqa: PLC0415 - it imports this module

    client = new_api(system, tenant)
    async with client.client:
        await client.configure()
        yield client


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One Chromium per test module."""
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed at /usr/bin/chromium"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        await launched.close()
