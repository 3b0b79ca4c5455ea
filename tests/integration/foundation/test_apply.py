"""The one apply path on real PostgreSQL: a batch with its checkpoint, poison dead-lettered."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from shared.db import DbConn, migrate
from shared.log.eventstore import EventStore
from shared.log.reader import StoredEvent
from shared.readside.apply import Applied, Applier, DeadLettered
from shared.readside.projection import ProjectorSettings
from shared.readside.service import ReadSide
from tests.support import TALLY_SQL, TallyProjection, tally

pytestmark = pytest.mark.integration

STREAM = "SMART_T"
SETTINGS = ProjectorSettings(max_attempts=3, retry_delay_s=0.01)


@dataclass
class Seqs:
    """Writes each event's sequence to `seen`; refuses the sequences in `poison`, and in
    `flaky` only the first time it meets them."""

    name: str = "seqs"
    tables: Sequence[str] = ("seen",)
    poison: set[int] = field(default_factory=set)
    flaky: set[int] = field(default_factory=set)
    calls: list[int] = field(default_factory=list)

    def filters(self, kab: str) -> list[str]:
        return [f"smart.{kab}.>"]

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        self.calls.append(len(events))
        await conn.executemany("insert into seen(seq) values ($1)", [(e.seq,) for e in events])
        for e in events:
            if e.seq in self.poison:
                raise ValueError(f"poison {e.seq}")
            if e.seq in self.flaky:
                self.flaky.discard(e.seq)
                raise ConnectionError(f"flaky {e.seq}")


def batch(*seqs: int) -> list[StoredEvent]:
    return [StoredEvent(seq, f"smart.t.t01.x.y.{seq}", b"{}") for seq in seqs]


async def apply(
    pool: asyncpg.Pool,
    schema: str,
    projection: Seqs,
    events: list[StoredEvent],
    after: int | None = None,
    upto: int | None = None,
) -> Applied:
    async with pool.acquire() as conn, Applier(conn, schema, SETTINGS) as applier:
        return await applier.apply(projection, STREAM, events, after=after, upto=upto)


@pytest_asyncio.fixture
async def schema(pool: asyncpg.Pool) -> AsyncIterator[str]:
    name = f"t_{uuid.uuid4().hex[:10]}"
    async with pool.acquire() as conn:
        await migrate(conn, name, None)
        await conn.execute(f"create table {name}.seen (seq bigint primary key)")
    yield name
    await pool.execute(f"drop schema if exists {name} cascade")


async def seen(pool: asyncpg.Pool, schema: str) -> list[int]:
    return [r["seq"] for r in await pool.fetch(f"select seq from {schema}.seen order by seq")]


async def checkpoint(pool: asyncpg.Pool, schema: str) -> int:
    return int(await pool.fetchval(f"select position from {schema}.checkpoints") or 0)


async def test_a_batch_and_its_checkpoint_commit_together_and_never_twice(
    pool: asyncpg.Pool, schema: str
) -> None:
    projection = Seqs()

    async def crash_before_the_commit() -> None:
        async with pool.acquire() as conn, Applier(conn, schema, SETTINGS) as applier:
            await applier.apply(projection, STREAM, batch(1, 2, 3))
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        await crash_before_the_commit()
    assert await seen(pool, schema) == []
    assert await checkpoint(pool, schema) == 0
    await apply(pool, schema, projection, batch(1, 2, 3))
    applied = await apply(pool, schema, projection, batch(2, 3, 4))
    assert await seen(pool, schema) == [1, 2, 3, 4]
    assert await checkpoint(pool, schema) == applied.reached == 4


async def test_poisoned_events_are_tried_then_dead_lettered_and_the_rest_still_applies(
    pool: asyncpg.Pool, schema: str
) -> None:
    projection = Seqs(poison={3, 7}, flaky={5})
    applied = await apply(pool, schema, projection, batch(*range(1, 11)), upto=12)
    letters = await pool.fetch(f"select seq, attempts, error from {schema}.dead_letters")
    assert await seen(pool, schema) == [1, 2, 4, 5, 6, 8, 9, 10]
    assert [(r["seq"], r["attempts"]) for r in letters] == [(3, 3), (7, 3)]
    assert "ValueError: poison 3" in letters[0]["error"]
    assert [e.seq for e, _ in applied.buried] == [3, 7]
    assert await checkpoint(pool, schema) == 12


async def test_events_at_or_below_a_given_start_are_left_alone(
    pool: asyncpg.Pool, schema: str
) -> None:
    projection = Seqs()
    await apply(pool, schema, projection, batch(1, 2, 3, 4), after=2)
    await apply(pool, schema, projection, batch(2), after=0)
    assert await seen(pool, schema) == [2, 3, 4]
    assert await checkpoint(pool, schema) == 4


async def test_an_event_that_fails_once_applies_on_its_retry(
    pool: asyncpg.Pool, schema: str
) -> None:
    projection = Seqs(flaky={1})
    applied = await apply(pool, schema, projection, batch(1))
    assert applied.buried == []
    assert projection.calls == [1, 1]
    assert await seen(pool, schema) == [1]
    assert await pool.fetchval(f"select count(*) from {schema}.dead_letters") == 0


async def test_a_dead_letter_retried_before_its_fix_stays_one_with_the_new_error(
    nc: NATS, pool: asyncpg.Pool, schema: str, kab: str, tmp_path: Path
) -> None:
    (tmp_path / "001_applied.sql").write_text(TALLY_SQL)
    projection = TallyProjection(poison={2})
    side = ReadSide(
        service="tally",
        schema=f"{schema}_rs",
        migrations=tmp_path,
        projections=[projection],
        nc=nc,
        pool=pool,
        store=EventStore(nc),
        kabupaten=[kab],
        settings=ProjectorSettings(batch=10, max_attempts=2, retry_delay_s=0.01),
    )
    await side.start()
    try:
        await side.wait_for(kab, await tally(nc, kab, [1, 2, 3]), timeout=15)
        (letter,) = await side.checkpoints.dead_letters()
        with pytest.raises(DeadLettered, match="poison n=2"):
            await side.retry_dead_letter(letter["id"])
        (again,) = await side.checkpoints.dead_letters()
        projection.poison.clear()
        await side.retry_dead_letter(letter["id"])
        assert await side.checkpoints.dead_letters() == []
    finally:
        await side.stop()
        await pool.execute(f"drop schema if exists {schema}_rs cascade")
    assert (again["id"], again["attempts"]) == (letter["id"], 2)
    assert again["created_at"] == letter["created_at"]
