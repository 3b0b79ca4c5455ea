"""The one infrastructure fixture: URLs from the environment, else containers, else embedded."""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import nats
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from shared.config import Settings
from shared.infra.containers import containers, docker_available
from shared.infra.local import Endpoints, LocalInfrastructure

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def infra() -> Iterator[Endpoints]:
    nats_url, db_url = os.environ.get("SMART_NATS_URL"), os.environ.get("SMART_DATABASE_URL")
    if nats_url and db_url:
        yield Endpoints(nats_url, db_url)
    elif docker_available():
        with containers() as endpoints:
            yield endpoints
    else:
        yield from _embedded()


def _embedded() -> Iterator[Endpoints]:
    # Outside pytest's own tmp tree: as root, PostgreSQL runs as another user, and pytest
    # keeps its tree private to root.
    data = Path(tempfile.mkdtemp(prefix="smart-test-"))
    local = LocalInfrastructure(data)
    endpoints = local.start()
    try:
        yield endpoints
    finally:
        local.stop()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def settings(infra: Endpoints, kab: str) -> Settings:
    """Services started with these serve only the test's own kabupaten, each with its own
    role's credentials (embedded servers); the URLs themselves are the operator's."""
    return Settings(
        nats_url=infra.nats_url,
        database_url=infra.database_url,
        credentials_dir=infra.credentials,
        secret_key="test-secret",
        kabupaten=kab,
    )


@pytest_asyncio.fixture
async def nc(infra: Endpoints) -> AsyncIterator[NATS]:
    """The operator's connection (the NATS admin): a test appends what it likes."""
    client = await nats.connect(infra.nats_url)
    yield client
    await client.drain()


@pytest_asyncio.fixture
async def pool(infra: Endpoints) -> AsyncIterator[asyncpg.Pool]:
    p = await asyncpg.create_pool(infra.database_url, min_size=1, max_size=10)
    assert p is not None
    yield p
    await p.close()


# 9xxx and Magetan (3520) are the e2e system's: it follows their streams all session long.
_CODES = iter(random.sample([c for c in range(1000, 9000) if c != 3520], 7999))


@pytest.fixture
def kab() -> str:
    """A fresh random kabupaten code per test: its own stream, so tests never collide."""
    return f"{next(_CODES)}"


@pytest.fixture
def kab2() -> str:
    """A second fresh kabupaten, for a test that needs two streams."""
    return f"{next(_CODES)}"


@pytest.fixture
def kec(kab: str) -> str:
    return f"{kab}{random.randint(10, 99)}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Unit, then integration, then e2e: the e2e system lives until the session ends, so it
    must start after every integration test's own services have stopped."""
    rank = {"unit": 0, "integration": 1, "e2e": 2}

    def suite(item: pytest.Item) -> int:
        parts = item.path.relative_to(ROOT).parts if item.path.is_relative_to(ROOT) else ()
        return rank.get(parts[1], 1) if len(parts) > 2 and parts[0] == "tests" else 1

    items.sort(key=suite)
