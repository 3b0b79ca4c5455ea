"""`monthly` adds up packages batch by batch on real PostgreSQL: a household counts once in
its desa and month however its packages fall into batches, whatever the domain allows."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from services.distribution.ledgerview import LedgerProjection
from shared.db import migrate
from shared.events.distribution import PackageDistributed, ledger_ref
from shared.log.canonical import GENESIS_HASH
from shared.log.envelope import Metadata, seal
from shared.log.reader import StoredEvent
from shared.tenancy import Tenant
from tests.fakes import MemoryKeyStore

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).parents[3] / "services" / "distribution" / "migrations"
NOW = datetime(2025, 1, 10, 3, tzinfo=UTC)


@pytest_asyncio.fixture
async def conn(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    schema = f"t_{uuid.uuid4().hex[:10]}"
    async with pool.acquire() as c:
        await migrate(c, schema, MIGRATIONS)
        await c.execute(f"set search_path to {schema}")
        yield c
        await c.execute(f"reset search_path; drop schema {schema} cascade")


def handed(kab: str, kec: str, seq: int, package: str, household: str) -> StoredEvent:
    ref = ledger_ref(Tenant(kab, kec))
    event = PackageDistributed(
        package_id=package,
        round_id="r1",
        household_id=household,
        desa=f"{kec}0001",
        month="2025-01",
        distributed_on=date(2025, 1, 10),
        procurement_id="lot1",
        value_idr=100_000,
    )
    meta = Metadata(command_id=package, correlation_id=package, actor="t")
    _, data = seal(ref, seq, event, meta, GENESIS_HASH, NOW, NOW)
    return StoredEvent(seq, ref.subject, data)


async def test_a_household_counts_once_per_desa_and_month_across_batches(
    conn: asyncpg.Connection, kab: str, kec: str
) -> None:
    projection = LedgerProjection(MemoryKeyStore())
    batches = [
        [handed(kab, kec, 1, "p1", "h1"), handed(kab, kec, 2, "p2", "h2")],
        [handed(kab, kec, 3, "p3", "h1")],  # h1 again, in a later batch
        [handed(kab, kec, 4, "p3", "h1"), handed(kab, kec, 5, "p4", "h3")],  # p3 again
    ]
    for batch in batches:
        async with conn.transaction():
            await projection.apply(conn, batch)
    row = await conn.fetchrow("select packages, value_idr, households_reached from monthly")
    assert row is not None
    assert tuple(row) == (4, 400_000, 3)
