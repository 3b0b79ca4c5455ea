"""Additive read models on real JetStream + PostgreSQL: a rebuild folds a stream's tallies
and writes them once, and ends with what writing every batch gives."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from shared.db import DbConn, table_digest
from shared.log.eventstore import EventStore
from shared.log.reader import StoredEvent
from shared.readside import tally as tally_module
from shared.readside.projection import ProjectorSettings
from shared.readside.rebuild import rebuild_all
from shared.readside.service import ReadSide
from shared.readside.tally import Tally, apply_tallies
from shared.tenancy import stream_name
from tests.support import Tallied, tally

pytestmark = pytest.mark.integration

TOTALS_SQL = """
create table totals (
    kab text not null, kec text not null, counter text not null,
    n bigint not null, biggest int not null, events int not null,
    primary key (kab, kec, counter)
);
"""


@dataclass
class Totals:
    """`totals`: per counter, the sum and the largest of its moves, and how many."""

    name: str = "totals"
    tables: Sequence[str] = ("totals",)

    def filters(self, kab: str) -> list[str]:
        return [f"smart.{kab}.*.tally.>"]

    def tallies(self) -> list[Tally]:
        return [
            Tally(
                "totals",
                ("kab", "kec", "counter"),
                {"n": "sum", "biggest": "max", "events": "sum"},
            )
        ]

    def fold(self, tallies: list[Tally], events: Sequence[StoredEvent]) -> None:
        (totals,) = tallies
        for stored in events:
            event, env = stored.event, stored.envelope
            assert isinstance(event, Tallied)
            totals.add((env.kabupaten, env.kecamatan, env.aggregate_id), event.n, event.n, 1)

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        await apply_tallies(self, conn, events)


@pytest_asyncio.fixture
async def schema(pool: asyncpg.Pool) -> AsyncIterator[str]:
    name = f"t_{uuid.uuid4().hex[:10]}"
    yield name
    await pool.execute(f"drop schema if exists {name} cascade")
    await pool.execute(f"drop schema if exists {name}__shadow cascade")


def readside(nc: NATS, pool: asyncpg.Pool, schema: str, migrations: Path, kab: str) -> ReadSide:
    return ReadSide(
        service="totals",
        schema=schema,
        migrations=migrations,
        projections=[Totals()],
        nc=nc,
        pool=pool,
        store=EventStore(nc),
        kabupaten=[kab],
        settings=ProjectorSettings(batch=5, max_attempts=2, retry_delay_s=0.05),
    )


@pytest.mark.parametrize("fold_limit", [50_000, 1], ids=["whole-stream", "written-early"])
async def test_a_rebuild_folds_tallies_to_what_the_live_projector_wrote(
    nc: NATS,
    pool: asyncpg.Pool,
    schema: str,
    kab: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fold_limit: int,
) -> None:
    """Pages of 4 events: the tallies span pages, one page holds a malformed event (it is
    dead-lettered and the rest of its page still counts), and with a limit of one folded row
    the tallies are written as they grow, into rows already there."""
    (tmp_path / "001_totals.sql").write_text(TOTALS_SQL)
    monkeypatch.setattr(tally_module, "MAX_FOLDED_ROWS", fold_limit)
    side = readside(nc, pool, schema, tmp_path, kab)
    await side.start()
    try:
        await tally(nc, kab, [5, -2, 9, 1, 7], "a1")
        await nc.jetstream().publish(f"smart.{kab}.{kab}01.tally.counter.broken", b"{}")
        await tally(nc, kab, [3, 4], "a2")
        position = await tally(nc, kab, [-8, 2, 6], "a1")
        await side.wait_for(kab, position, timeout=15)
        (shadow,) = await rebuild_all([side], switch=False, batch=4)
        async with pool.acquire() as conn:
            assert await table_digest(conn, shadow, "totals") == await table_digest(
                conn, schema, "totals"
            )
            totals = await conn.fetch(
                f"select counter, n, biggest, events from {shadow}.totals order by counter"
            )
            letters = await conn.fetch(f"select seq, error from {shadow}.dead_letters")
            checkpoint = await conn.fetchval(
                f"select position from {shadow}.checkpoints where stream = $1", stream_name(kab)
            )
    finally:
        await side.stop()
    assert [tuple(r) for r in totals] == [("a1", 20, 9, 8), ("a2", 7, 4, 2)]
    assert [r["seq"] for r in letters] == [6]
    assert "MalformedEvent" in letters[0]["error"]
    assert checkpoint == position
