"""Projectors on real JetStream + PostgreSQL: exactly once, dead letters, rebuild, wait_for."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from shared.db import table_digest
from shared.infra.local import Endpoints
from shared.log.eventstore import EventStore
from shared.readside.pages import unhurried_commits
from shared.readside.projection import ProjectorSettings
from shared.readside.projector import Projector
from shared.readside.rebuild import rebuild
from shared.readside.service import ReadSide
from shared.tenancy import stream_name
from tests.support import TALLY_SQL, TallyProjection, eventually, tally, unready_tables

pytestmark = pytest.mark.integration


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    (tmp_path / "001_applied.sql").write_text(TALLY_SQL)
    return tmp_path


@pytest.fixture
def schema() -> str:
    return f"t_{uuid.uuid4().hex[:10]}"


def make_readside(
    nc: NATS,
    pool: asyncpg.Pool,
    schema: str,
    migrations: Path,
    kab: str,
    projection: TallyProjection | None = None,
) -> ReadSide:
    return ReadSide(
        service="tally",
        schema=schema,
        migrations=migrations,
        projections=[projection or TallyProjection()],
        nc=nc,
        pool=pool,
        store=EventStore(nc),
        kabupaten=[kab],
        discovery_interval_s=0.2,
        settings=ProjectorSettings(
            batch=50, max_attempts=3, retry_delay_s=0.05, fetch_timeout_s=0.2, standby_poll_s=0.2
        ),
    )


@pytest_asyncio.fixture
async def cleanup(pool: asyncpg.Pool, schema: str) -> AsyncIterator[None]:
    yield
    await pool.execute(f"drop schema if exists {schema} cascade")
    await pool.execute(f"drop schema if exists {schema}__shadow cascade")


async def applied(pool: asyncpg.Pool, schema: str) -> list[int]:
    return [r["n"] for r in await pool.fetch(f"select n from {schema}.applied order by seq")]


@pytest.mark.usefixtures("cleanup")
async def test_wait_for_gives_read_your_writes(nc, pool, schema, migrations, kab) -> None:
    readside = make_readside(nc, pool, schema, migrations, kab)
    await readside.start()
    try:
        position = await tally(nc, kab, list(range(1, 31)))
        await readside.wait_for(kab, position, timeout=10)
        assert await applied(pool, schema) == list(range(1, 31))
        assert await readside.checkpoints.position("tally", stream_name(kab)) == position
    finally:
        await readside.stop()


class CrashAfterCommit(Projector):
    """A projector that dies after its transaction commits and before it acks."""

    async def process(self, msgs):  # type: ignore[no-untyped-def]
        from shared.log.reader import StoredEvent  # noqa: PLC0415

        await self._commit(
            [StoredEvent(m.metadata.sequence.stream, m.subject, m.data) for m in msgs]
        )
        raise asyncio.CancelledError


@pytest.mark.usefixtures("cleanup")
async def test_killed_between_commit_and_ack_applies_nothing_twice(
    nc, pool, schema, migrations, kab
) -> None:
    position = await tally(nc, kab, list(range(1, 21)))
    readside = make_readside(nc, pool, schema, migrations, kab)
    await readside.migrate()
    settings = ProjectorSettings(batch=7, fetch_timeout_s=0.2)
    lock_conn = await pool.acquire()
    try:
        crashing = CrashAfterCommit(nc, pool, "tally", schema, kab, TallyProjection(), settings)
        with pytest.raises(asyncio.CancelledError):
            await crashing.run(lock_conn, asyncio.Lock())
        assert await applied(pool, schema) == list(range(1, 8))
        more = await tally(nc, kab, [21, 22])
        healthy = Projector(nc, pool, "tally", schema, kab, TallyProjection(), settings)
        task = asyncio.create_task(healthy.run(lock_conn, asyncio.Lock()))
        try:

            async def done() -> bool:
                return len(await applied(pool, schema)) >= 22

            await eventually(done)
            await asyncio.sleep(0.3)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    finally:
        await pool.release(lock_conn)
    assert await applied(pool, schema) == list(range(1, 23))
    assert more > position


@pytest.mark.usefixtures("cleanup")
async def test_poison_event_is_dead_lettered_then_retried_after_a_fix(
    nc, pool, schema, migrations, kab
) -> None:
    projection = TallyProjection(poison={13})
    readside = make_readside(nc, pool, schema, migrations, kab, projection)
    await readside.start()
    try:
        position = await tally(nc, kab, list(range(10, 20)))
        await readside.wait_for(kab, position, timeout=15)
        assert await applied(pool, schema) == [10, 11, 12, 14, 15, 16, 17, 18, 19]
        letters = await readside.checkpoints.dead_letters()
        assert len(letters) == 1
        assert letters[0]["attempts"] == 3
        assert "poison n=13" in letters[0]["error"]
        assert letters[0]["event_type"] == "Tallied"

        projection.poison.clear()
        await readside.retry_dead_letter(letters[0]["id"])
        assert sorted(await applied(pool, schema)) == list(range(10, 20))
        assert await readside.checkpoints.dead_letters() == []
    finally:
        await readside.stop()


@pytest.mark.usefixtures("cleanup")
async def test_malformed_bytes_on_the_stream_are_dead_lettered_with_the_reason(
    nc, pool, schema, migrations, kab
) -> None:
    readside = make_readside(nc, pool, schema, migrations, kab)
    await readside.start()
    try:
        await tally(nc, kab, [1])
        js = nc.jetstream()
        await js.publish(f"smart.{kab}.{kab}01.tally.counter.a1", b'{"type": "Tallied"}')
        position = await tally(nc, kab, [2], counter="a2")
        await readside.wait_for(kab, position, timeout=15)
        assert await applied(pool, schema) == [1, 2]
        letters = await readside.checkpoints.dead_letters()
        assert len(letters) == 1
        assert "MalformedEvent" in letters[0]["error"]
        assert "envelope field" in letters[0]["error"]
    finally:
        await readside.stop()


@pytest.mark.usefixtures("cleanup")
async def test_rebuild_equals_live_and_switches_while_serving(
    nc, pool, schema, migrations, kab
) -> None:
    readside = make_readside(nc, pool, schema, migrations, kab)
    await readside.start()
    try:
        position = await tally(nc, kab, list(range(1, 41)))
        await readside.wait_for(kab, position, timeout=10)
        shadow = await rebuild(readside, switch=False)
        async with pool.acquire() as conn:
            assert await table_digest(conn, shadow, "applied") == await table_digest(
                conn, schema, "applied"
            )
        writer = asyncio.create_task(tally(nc, kab, list(range(41, 61)), counter="a2"))
        await rebuild(readside, switch=True)
        last = await writer
        await readside.wait_for(kab, last, timeout=10)
        assert sorted(await applied(pool, schema)) == list(range(1, 61))
        assert await unready_tables(pool, schema) == []
    finally:
        await readside.stop()


async def test_a_shadow_connection_does_not_wait_for_the_disk_and_returns_to_its_pool_as_it_was(
    infra: Endpoints,
) -> None:
    setting = "select current_setting('synchronous_commit')"
    one = await asyncpg.create_pool(infra.database_url, min_size=1, max_size=1)
    assert one is not None
    try:
        async with one.acquire() as conn:
            server, pid = await conn.fetchval(setting), conn.get_server_pid()
            await unhurried_commits(conn)
            assert await conn.fetchval(setting) == "off" != server
        async with one.acquire() as conn:
            assert conn.get_server_pid() == pid
            assert await conn.fetchval(setting) == server
    finally:
        await one.close()


@pytest.mark.usefixtures("cleanup")
async def test_two_replicas_share_a_projection_without_double_applying(
    nc, pool, schema, migrations, kab
) -> None:
    one = make_readside(nc, pool, schema, migrations, kab)
    two = make_readside(nc, pool, schema, migrations, kab)
    await one.start()
    await two.start()
    try:
        position = await tally(nc, kab, list(range(1, 26)))
        await one.wait_for(kab, position, timeout=10)
        await one.stop()
        more = await tally(nc, kab, list(range(26, 36)))
        await two.wait_for(kab, more, timeout=15)
        assert await applied(pool, schema) == list(range(1, 36))
    finally:
        await one.stop()
        await two.stop()
