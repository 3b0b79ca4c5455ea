"""Replay at scale: the generator's history verifies and rebuilds, in worker processes, to
the live read models; a per-tenant replay rebuilds one kecamatan and leaves the others alone;
`--from` applies nothing twice and skips nothing."""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import os
import signal
import uuid
from pathlib import Path
from typing import cast

import asyncpg
import pytest
from nats.aio.client import Client as NATS

from services.cli import ops
from services.cli.context import CannotRun
from shared.audit.verdict import verify_stream
from shared.config import Settings
from shared.db import DbConn
from shared.events.scheduler import KecamatanConfigured, kecamatan_ref
from shared.log.aggregate import AggregateType, CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.log.reader import read_pages
from shared.readside.pages import Progress
from shared.readside.rebuild import rebuild_all
from shared.readside.replay_workers import Workers
from shared.readside.service import ReadSide
from shared.tenancy import Tenant, stream_name
from tests.integration.audit.conftest import kecamatan_of
from tests.support import eventually, unready_tables

pytestmark = pytest.mark.integration


async def rows(conn: DbConn | asyncpg.Pool, schema: str, table: str, kab: str, kec: str) -> list:  # type: ignore[type-arg]
    found = await conn.fetch(
        f"select t::text as row from {schema}.{table} t where kab = $1 and kec = $2 order by 1",
        kab,
        kec,
    )
    return [r["row"] for r in found]


async def snapshot(pool: asyncpg.Pool, sides: list[ReadSide], kab: str, kec: str) -> dict:  # type: ignore[type-arg]
    return {
        f"{side.schema}.{t}": await rows(pool, side.schema, t, kab, kec)
        for side in sides
        for p in side.projections
        for t in p.tables
    }


async def row_versions(pool: asyncpg.Pool, kab: str, kec: str) -> str:
    """The rows' transaction ids: unchanged only if no replay rewrote them."""
    return str(
        await pool.fetchval(
            "select string_agg(xmin::text, ',' order by donation_id)"
            " from donations.ledger_donations where kab = $1 and kec = $2",
            kab,
            kec,
        )
    )


@pytest.mark.parametrize("start", ["fork", "spawn"])
async def test_the_generated_history_verifies_and_rebuilds_to_the_live_read_models(
    nc: NATS,
    pool: asyncpg.Pool,
    settings: Settings,
    kab: str,
    history: int,
    live: list[ReadSide],
    start: str,
) -> None:
    verdict = await verify_stream(EventStore(nc), kab)
    assert verdict.problems == []
    assert verdict.checked == history > 300
    types = {
        e.envelope.type
        async for page in read_pages(nc, stream_name(kab), f"smart.{kab}.>")
        for e in page
    }
    assert {"KecamatanConfigured", "ActivityHeld", "DonationReceived", "PackagesProcured"} < types
    assert {"HouseholdRegistered", "PackageDistributed", "RoundClosed", "FindingRecorded"} < types
    assert {"ExpenseRecorded", "PeriodClosed"} < types
    workers = Workers(
        2,
        functools.partial(ops.readsides_for, settings, None),
        settings.nats_servers(),
        str(settings.database_url),
        start_method=start,
    )
    seen: list[Progress] = []
    shadows = await rebuild_all(
        live, switch=False, batch=100, workers=workers, progress=seen.append
    )
    try:
        compared: list[str] = []
        for kec in kecamatan_of(kab):
            expected = await snapshot(pool, live, kab, kec)
            compared += [table for table, found in expected.items() if found]
            rebuilt = {
                name: await rows(pool, shadow, name.split(".")[1], kab, kec)
                for name in expected
                for side, shadow in zip(live, shadows, strict=True)
                if name.startswith(f"{side.schema}.")
            }
            assert rebuilt == expected
        assert {"donations.fund", "distribution.households", "distribution.packages"} <= set(
            compared
        )
        assert {"donations.cashbook", "donations.periods"} <= set(compared)
        assert {"scheduler.calendar", "integrity.findings", "integrity.visits"} <= set(compared)
        assert seen[-1].stream == "all streams"
        assert seen[-1].events == history
        for shadow in shadows:  # analyzed while the last streams were projected
            assert await unready_tables(pool, shadow) == []
    finally:
        for shadow in shadows:
            await pool.execute(f"drop schema if exists {shadow} cascade")


async def test_a_tenant_replay_rebuilds_its_rows_and_leaves_the_others_untouched(
    pool: asyncpg.Pool, settings: Settings, kab: str, live: list[ReadSide]
) -> None:
    target, *others = kecamatan_of(kab)
    good = await snapshot(pool, live, kab, target)
    untouched = {kec: await snapshot(pool, live, kab, kec) for kec in others}
    await pool.execute(
        "update donations.fund set donated_idr = 1 where kab = $1 and kec = $2", kab, target
    )
    await pool.execute("delete from distribution.packages where kab = $1 and kec = $2", kab, target)
    await pool.execute(
        "update integrity.findings set status = 'x' where kab = $1 and kec = $2", kab, target
    )
    assert await snapshot(pool, live, kab, target) != good
    versions = {kec: await row_versions(pool, kab, kec) for kec in others}

    assert await ops.replay(settings, None, kab=kab, kec=target) == 0

    assert await snapshot(pool, live, kab, target) == good
    for kec in others:
        assert await snapshot(pool, live, kab, kec) == untouched[kec]
        assert await row_versions(pool, kab, kec) == versions[kec]


async def renamed(nc: NATS, kab: str, kec: str, name: str) -> int:
    """The scheduler's PUT of a kecamatan: its whole set-up again, under a new name."""
    tenant = Tenant(kab, kec)
    ref = kecamatan_ref(tenant)
    current = (await EventStore(nc).load(ref))[-1].event
    assert isinstance(current, KecamatanConfigured)
    cid = str(uuid.uuid4())
    out = await CommandRunner(EventStore(nc)).execute(
        AggregateType[int]("scheduler", "kecamatan", lambda: 0, lambda n, e: n + 1),
        ref,
        Metadata(command_id=cid, correlation_id=cid, actor="t"),
        lambda _: [current.model_copy(update={"name": name})],
    )
    return out.position


async def test_replay_from_a_position_applies_only_what_the_checkpoints_have_not_seen(
    nc: NATS, pool: asyncpg.Pool, settings: Settings, kab: str, live: list[ReadSide]
) -> None:
    target = kecamatan_of(kab)[0]
    before = {kec: await snapshot(pool, live, kab, kec) for kec in kecamatan_of(kab)}
    assert await ops.replay(settings, None, kab=kab, from_seq=1) == 0
    assert {kec: await snapshot(pool, live, kab, kec) for kec in kecamatan_of(kab)} == before
    for side in live:
        await side.stop()
    position = await renamed(nc, kab, target, "Kecamatan Baru")

    with pytest.raises(CannotRun, match=f"scheduler.kecamatan has not applied {position} yet"):
        await ops.replay(settings, None, kab=kab, from_seq=position + 1)
    for _ in range(2):
        assert await ops.replay(settings, None, kab=kab, from_seq=position) == 0
        after = await snapshot(pool, live, kab, target)
        assert {t: v for t, v in after.items() if not t.endswith(".kecamatan")} == {
            t: v for t, v in before[target].items() if not t.endswith(".kecamatan")
        }
        for schema in ("scheduler", "distribution"):
            assert (
                await pool.fetchval(
                    f"select name from {schema}.kecamatan where kab = $1 and kec = $2", kab, target
                )
                == "Kecamatan Baru"
            )


class _Waiting:
    """A worker's read side that says it is there, then waits for a stream list."""

    schema = "waiting"

    @property
    def store(self) -> _Waiting:
        return self

    async def stream_names(self) -> list[str]:
        Path(os.environ["SMART_TEST_WORKER_MARK"]).touch()
        await asyncio.sleep(60)
        return []


def _waits_for_ever(nc: NATS, pool: asyncpg.Pool) -> list[ReadSide]:
    return [cast(ReadSide, _Waiting())]


async def test_an_interrupted_forked_worker_stops_and_the_replay_fails(
    settings: Settings, kab: str, live: list[ReadSide], tmp_path: Path
) -> None:
    mark = tmp_path / "worker-started"
    workers = Workers(
        1,
        _waits_for_ever,
        settings.nats_servers(),
        str(settings.database_url),
        start_method="fork",
    )
    os.environ["SMART_TEST_WORKER_MARK"] = str(mark)
    # The coordinator's own Ctrl-C handler (an event loop's, say) is not the worker's.
    previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        run = asyncio.create_task(workers.run(live[0], [kab], 100, None))
        await eventually(lambda: _exists(mark), timeout=30)
        (worker,) = multiprocessing.active_children()
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGINT)
        with pytest.raises(RuntimeError, match="replay worker failed"):
            await asyncio.wait_for(run, timeout=30)
    finally:
        signal.signal(signal.SIGINT, previous)
        del os.environ["SMART_TEST_WORKER_MARK"]


async def _exists(path: Path) -> bool:
    return path.exists()
