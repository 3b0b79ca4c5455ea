"""Read-your-writes on announcements: a replica waits on the checkpoints another commits,
without polling; a position past the log's head is never reached; one whose event a
projection does not follow needs nothing of it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

import shared.readside.service
from shared.errors import NotCaughtUp
from shared.log.eventstore import EventStore
from shared.readside.projection import ProjectorSettings
from shared.readside.service import ReadSide
from shared.tenancy import Tenant, stream_name
from tests.fakes import configure
from tests.support import TALLY_SQL, TallyProjection, tally

pytestmark = pytest.mark.integration


@pytest.fixture
def schema() -> str:
    return f"w_{uuid.uuid4().hex[:10]}"


@pytest_asyncio.fixture
async def replicas(
    nc: NATS, pool: asyncpg.Pool, schema: str, kab: str, tmp_path: Path
) -> AsyncIterator[tuple[ReadSide, ReadSide]]:
    """Two replicas of one read side; the first started holds the projection."""
    (tmp_path / "001_applied.sql").write_text(TALLY_SQL)
    await tally(nc, kab, [0])
    sides = [
        ReadSide(
            service="tally",
            schema=schema,
            migrations=tmp_path,
            projections=[TallyProjection()],
            nc=nc,
            pool=pool,
            store=EventStore(nc),
            kabupaten=[kab],
            settings=ProjectorSettings(fetch_timeout_s=0.2, standby_poll_s=0.2),
        )
        for _ in range(2)
    ]
    for side in sides:
        await side.start()
    yield sides[0], sides[1]
    for side in sides:
        await side.stop()
    await pool.execute(f"drop schema if exists {schema} cascade")


async def test_a_replica_waits_on_the_checkpoints_another_commits(
    nc: NATS,
    pool: asyncpg.Pool,
    kab: str,
    replicas: tuple[ReadSide, ReadSide],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shared.readside.service, "RECHECK_S", 60.0)
    _, standby = replicas
    for values in ([1, 2, 3], [4], [5, 6]):
        position = await tally(nc, kab, values)
        await standby.wait_for(kab, position, timeout=10)
        rows = await pool.fetch(f"select n from {standby.schema}.applied order by seq")
        assert [r["n"] for r in rows][-len(values) :] == values


async def test_a_position_past_the_head_is_never_reached(
    nc: NATS, kab: str, replicas: tuple[ReadSide, ReadSide]
) -> None:
    leader, _ = replicas
    position = await tally(nc, kab, [1])
    await leader.wait_for(kab, position, timeout=10)
    for side in replicas:
        with pytest.raises(NotCaughtUp):
            await side.wait_for(kab, position + 3, timeout=0.5)


async def test_an_event_the_projection_does_not_follow_needs_nothing_of_it(
    nc: NATS, kab: str, replicas: tuple[ReadSide, ReadSide]
) -> None:
    leader, standby = replicas
    await tally(nc, kab, [1, 2])
    await configure(EventStore(nc), Tenant(kab, f"{kab}02"))
    head = await EventStore(nc).last_seq(kab)
    for side in (standby, leader):
        await side.wait_for(kab, head, timeout=10)
    assert await leader.checkpoints.position("tally", stream_name(kab)) < head
