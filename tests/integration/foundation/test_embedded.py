"""The embedded infrastructure of `smart up`: stopped and started again, nothing is lost."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import nats
import pytest

from shared.infra.local import LocalInfrastructure
from shared.log.aggregate import CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.tenancy import AggregateRef, Tenant
from tests.support import TALLY, Tallied

pytestmark = pytest.mark.integration


async def _append(url: str, ref: AggregateRef, values: list[int]) -> None:
    nc = await nats.connect(url)
    runner = CommandRunner(EventStore(nc))
    for n in values:
        cid = str(uuid.uuid4())
        meta = Metadata(command_id=cid, correlation_id=cid, actor="t")
        await runner.execute(TALLY, ref, meta, lambda s, n=n: [Tallied(n=n)])
    await nc.drain()


@pytest.fixture
def data_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="smart-restart-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


async def test_restarted_embedded_servers_keep_every_event_and_row(data_dir: Path) -> None:
    ref = AggregateRef(Tenant("3520", "352005"), "tally", "counter", "c1")
    local = LocalInfrastructure(data_dir)
    first = local.start()
    try:
        await _append(first.nats_url, ref, list(range(1, 51)))
        conn = await asyncpg.connect(first.database_url)
        await conn.execute("create table kept (v int); insert into kept values (42)")
        await conn.close()
    finally:
        local.stop()

    again = LocalInfrastructure(data_dir)
    second = again.start()
    try:
        nc = await nats.connect(second.nats_url)
        loaded = await CommandRunner(EventStore(nc)).load(TALLY, ref)
        info = await nc.jetstream().stream_info("SMART_3520")
        await nc.drain()
        conn = await asyncpg.connect(second.database_url)
        kept = await conn.fetchval("select v from kept")
        await conn.close()
    finally:
        again.stop()
    assert loaded.version == 50
    assert loaded.state == sum(range(1, 51))
    assert info.state.messages == 50
    assert kept == 42
