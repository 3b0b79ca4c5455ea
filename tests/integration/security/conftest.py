"""Servers of our own, as `smart up` starts them: every role with its own credentials."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nats
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from shared.config import Settings
from shared.infra.credentials import (
    NATS as NATS_KIND,
)
from shared.infra.credentials import (
    POSTGRES,
    CredentialStore,
    inbox_prefix,
    with_user,
)
from shared.infra.local import Endpoints, LocalInfrastructure


@dataclass
class Secured:
    """The servers of a data directory and the credentials `smart up` generated for it."""

    data: Path
    endpoints: Endpoints
    store: CredentialStore

    def nats_url(self, role: str, password: str | None = None) -> str:
        secret = self.store.password(NATS_KIND, role) if password is None else password
        return with_user(self.endpoints.nats_url, role, secret)

    def pg_url(self, role: str, password: str | None = None) -> str:
        secret = self.store.password(POSTGRES, role) if password is None else password
        return with_user(self.endpoints.database_url, role, secret)

    def settings(self, kab: str) -> Settings:
        return Settings(
            nats_url=self.endpoints.nats_url,
            database_url=self.endpoints.database_url,
            credentials_dir=self.endpoints.credentials,
            secret_key="security-secret",
            kabupaten=kab,
        )


@pytest.fixture(scope="package")
def secured() -> Iterator[Secured]:
    data = Path(tempfile.mkdtemp(prefix="smart-secured-"))
    local = LocalInfrastructure(data)
    endpoints = local.start()
    try:
        yield Secured(data, endpoints, CredentialStore.of(local.data_dir))
    finally:
        local.stop()
        shutil.rmtree(data, ignore_errors=True)


@dataclass
class Client:
    """One role's connection that remembers what the server refused it."""

    role: str
    nc: NATS = field(default_factory=NATS)
    errors: list[str] = field(default_factory=list)

    async def connect(self, url: str) -> Client:
        async def on_error(exc: Exception) -> None:
            self.errors.append(str(exc).lower())

        self.nc = await nats.connect(
            url, error_cb=on_error, allow_reconnect=False, inbox_prefix=inbox_prefix(self.role)
        )
        return self

    async def refused(self, subject: str, what: str = "publish") -> bool:
        """Whether the server answered a permissions violation for `subject`."""
        await self.nc.flush()
        wanted = f'permissions violation for {what} to "{subject}"'.lower()
        for _ in range(20):
            if any(wanted in e for e in self.errors):
                return True
            await asyncio.sleep(0.05)
        return False


async def fails(work: Awaitable[Any]) -> bool:
    try:
        await work
    except Exception:
        return True
    return False


@pytest_asyncio.fixture
async def connect(secured: Secured) -> AsyncIterator[Any]:
    """`await connect(role)`: a role's connection with its own credentials."""
    opened: list[Client] = []

    async def open_as(role: str) -> Client:
        client = await Client(role).connect(secured.nats_url(role))
        opened.append(client)
        return client

    yield open_as
    for client in opened:
        await client.nc.close()


@pytest_asyncio.fixture
async def admin(connect: Any) -> Client:
    client: Client = await connect("admin")
    return client
