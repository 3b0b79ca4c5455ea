"""A synthetic history in the test's kabupaten, projected live by all four services."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest_asyncio
from nats.aio.client import Client as NATS

from bench.generate import generate
from services.registry import available_specs
from shared.config import Settings
from shared.log.eventstore import EventStore
from shared.readside.projection import ProjectorSettings
from shared.readside.service import ReadSide
from shared.tenancy import Tenant

MONTHS = 2
DESA = 3


def kecamatan_of(kab: str) -> list[str]:
    return [f"{kab}11", f"{kab}12", f"{kab}13"]


def readsides(nc: NATS, pool: asyncpg.Pool, settings: Settings, kab: str) -> list[ReadSide]:
    return [
        ReadSide(
            service=spec.name,
            schema=spec.schema,
            migrations=spec.migrations,
            projections=spec.projections(settings),
            nc=nc,
            pool=pool,
            store=EventStore(nc),
            kabupaten=[kab],
            settings=ProjectorSettings(fetch_timeout_s=0.2),
        )
        for spec in available_specs()
    ]


@pytest_asyncio.fixture
async def history(nc: NATS, pool: asyncpg.Pool, settings: Settings, kab: str) -> int:
    """Two months of three kecamatan, appended as the generator of the benchmark does."""
    tenants = [Tenant(kab, kec) for kec in kecamatan_of(kab)]
    secret = settings.secret_key.get_secret_value()
    return await generate(
        nc,
        pool,
        tenants,
        months=MONTHS,
        secret=secret,
        desa=DESA,
        seed=7,
        key_dir=settings.keys_path(),
    )


@pytest_asyncio.fixture
async def live(
    nc: NATS, pool: asyncpg.Pool, settings: Settings, kab: str, history: int
) -> AsyncIterator[list[ReadSide]]:
    """The four services' projectors, caught up with the history."""
    sides = readsides(nc, pool, settings, kab)
    for side in sides:
        await side.start()
    try:
        last = await EventStore(nc).last_seq(kab)
        for side in sides:
            await side.wait_for(kab, last, timeout=60)
        yield sides
    finally:
        for side in sides:
            await side.stop()
