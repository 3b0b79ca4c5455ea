"""`read_pages` never passes a partial read for the log: under load (writers at full speed,
competing readers, a busy event loop) every read is whole; a read that ends short fails
loudly, and so do the rebuild, replay and verify built on it."""

from __future__ import annotations

import asyncio
import random
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import nats
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.client import JetStreamContext

from services.cli import main, ops
from services.cli import verify as verify_cmd
from shared.config import Settings
from shared.infra.local import Endpoints
from shared.log.eventstore import EventStore
from shared.log.reader import ShortRead, _PageBuffer, direct_pages, read_pages
from shared.readside.rebuild import rebuild_all
from shared.readside.service import ReadSide
from shared.tenancy import stream_name
from tests.integration.audit.conftest import kecamatan_of

pytestmark = pytest.mark.integration
LOAD_S = 12.0
COLLECT = _PageBuffer.collect


def subjects(kab: str, i: int) -> str:
    return f"smart.{kab}.{kab}{11 + i % 3}.x.{i % 50}"


async def append(nc: NATS, kab: str, count: int, first: int = 0) -> None:
    js = nc.jetstream()
    for start in range(first, first + count, 500):
        await asyncio.gather(
            *(js.publish(subjects(kab, i), b'{"i":%d}' % i) for i in range(start, start + 500))
        )


WRITER = """
import asyncio, sys
import nats

async def main(url, kab, first):
    nc = await nats.connect(url)
    js, i = nc.jetstream(timeout=30), first
    while True:
        subjects = [f"smart.{kab}.{kab}{11 + n % 3}.x.{n % 50}" for n in range(i, i + 200)]
        await asyncio.gather(*(js.publish(s, b"{}") for s in subjects))
        i += 200
        print(i - first, flush=True)

asyncio.run(main(*sys.argv[1:3], int(sys.argv[3])))
"""


@dataclass
class Writers:
    """Two processes appending to the stream at full speed, each on its own connection."""

    processes: list[asyncio.subprocess.Process] = field(default_factory=list)

    async def stop(self) -> int:
        """Stop them; how many events they appended."""
        appended = 0
        for process in self.processes:
            if process.returncode is None:
                process.kill()
            out, _ = await process.communicate()
            lines = out.split()
            appended += int(lines[-1]) if lines else 0
        return appended


@pytest_asyncio.fixture
async def writers(nc: NATS, infra: Endpoints, kab: str) -> AsyncIterator[Writers]:
    """Writers appending to the test's stream until stopped (at the latest when it ends)."""
    await EventStore(nc).ensure_stream(kab)
    running = Writers()
    for index in range(2):
        running.processes.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                WRITER,
                infra.nats_url,
                kab,
                str(10_000_000 * (index + 1)),
                stdout=asyncio.subprocess.PIPE,
            )
        )
    try:
        yield running
    finally:
        await running.stop()


async def checked_read(nc: NATS, kab: str, filter_: str, start: int) -> tuple[int, int, list[int]]:
    """(the stream's last seq before the read, its start, the seqs it read)."""
    last = (await nc.jetstream(timeout=30).stream_info(stream_name(kab))).state.last_seq
    seqs = []
    async for page in read_pages(nc, stream_name(kab), filter_, start, random.choice([50, 2000])):
        seqs += [e.seq for e in page]
        if random.random() < 0.2:
            time.sleep(0.05)  # noqa: ASYNC251 - a reader busy with a page for a while
    return int(last), start, seqs


@pytest.mark.slow
async def test_reads_are_whole_while_writers_append_and_readers_compete(
    nc: NATS, infra: Endpoints, kab: str, writers: Writers
) -> None:
    # Given a stream that writers keep growing at full speed
    await append(nc, kab, 20_000)
    stream, kec = stream_name(kab), f"smart.{kab}.{kab}11.>"
    narrow = f"smart.{kab}.{kab}12.x.7"
    connections = [await nats.connect(infra.nats_url) for _ in range(2)]
    ends = time.monotonic() + LOAD_S
    reads: list[tuple[str, int, int, list[int]]] = []

    async def reader(index: int) -> None:
        client = connections[index % 2]
        while time.monotonic() < ends:
            head = (await client.jetstream(timeout=30).stream_info(stream)).state.last_seq
            filter_ = random.choice([f"smart.{kab}.>", kec, narrow])
            start = random.choice([1, max(1, head - 3000), head, head + 1])
            if start == 1 and head > 40_000:  # a whole read, bounded: from 20k before
                start = head - 20_000
            if filter_ == kec:
                start = max(start, head - 3000)
            last, start, seqs = await checked_read(client, kab, filter_, start)
            reads.append((filter_, start, last, seqs))

    async def busy() -> None:
        while time.monotonic() < ends:
            await asyncio.sleep(4.0)
            time.sleep(2.5)  # noqa: ASYNC251 - the process busy longer than the old 2 s

    # When readers compete on a process that is busy at times
    try:
        await asyncio.gather(*(reader(i) for i in range(4)), busy())
    finally:
        for client in connections:
            await client.close()

    # Then every read holds every matching event from its start to where the stream was
    assert await writers.stop() >= 10_000, "the writers ran"
    assert len(reads) >= 10, "the readers ran"
    for filter_, start, last, seqs in reads:
        if filter_ == f"smart.{kab}.>":
            assert seqs == list(range(start, start + len(seqs))), (filter_, start)
            assert not seqs or seqs[-1] >= last, (filter_, start, last)
            assert seqs or start > last
        else:
            upto = max(seqs[-1] if seqs else 0, last)
            assert await matching(nc, stream, filter_, start, upto) == seqs, (filter_, start)


async def matching(nc: NATS, stream: str, filter_: str, start: int, upto: int) -> list[int]:
    """The sequences of the events matching `filter_` in `start..upto`, by direct gets."""
    found: list[int] = []
    async for page in direct_pages(nc, stream, filter_, start, 2000):
        found += [e.seq for e in page if e.seq <= upto]
        if page[-1].seq >= upto:
            break
    return found


async def test_a_read_survives_a_process_busy_while_its_consumer_is_made(
    nc: NATS, kab: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a log, and a process that is busy (3 s) between nats-py creating the read's
    # consumer and subscribing to it: the server used to delete such a consumer after 2 s
    await EventStore(nc).ensure_stream(kab)
    await append(nc, kab, 1000)
    bind = JetStreamContext.subscribe_bind

    async def busy_bind(self: JetStreamContext, *args: Any, **kwargs: Any) -> Any:
        time.sleep(3)  # noqa: ASYNC251 - the busy process
        return await bind(self, *args, **kwargs)

    monkeypatch.setattr(JetStreamContext, "subscribe_bind", busy_bind)
    # When it reads the log, Then it reads all of it
    seqs = [e.seq async for p in read_pages(nc, stream_name(kab), f"smart.{kab}.>") for e in p]
    assert seqs == list(range(1, 1001))


def ending_early(monkeypatch: pytest.MonkeyPatch, after: int, skip: int | None = None) -> None:
    """Make every read's delivery stop after `after` events (as a read that ended early on
    a busy process did), or lose the `skip`th event (a gap in the middle)."""

    async def short(self: _PageBuffer, msg: Msg) -> None:
        seen = getattr(self, "seen", 0) + 1
        self.seen = seen  # type: ignore[attr-defined]
        if skip is not None:
            if seen != skip:
                await COLLECT(self, msg)
            return
        if seen <= after:
            await COLLECT(self, msg)
        if seen == after:
            self.done = True
            self.ready.set()

    monkeypatch.setattr(_PageBuffer, "collect", short)


async def test_a_read_that_ends_early_or_loses_an_event_fails_loudly(
    nc: NATS, kab: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await EventStore(nc).ensure_stream(kab)
    await append(nc, kab, 1000)
    stream = stream_name(kab)
    ending_early(monkeypatch, after=400)
    with pytest.raises(ShortRead, match=r"ended at 400, but the stream holds seq 401 up to 1000"):
        [p async for p in read_pages(nc, stream, f"smart.{kab}.>", 1, 100)]
    ending_early(monkeypatch, after=100)  # of the 334 in kecamatan 11
    with pytest.raises(ShortRead, match="the read ended early"):
        [p async for p in read_pages(nc, stream, f"smart.{kab}.{kab}11.>", 1, 100)]
    ending_early(monkeypatch, after=0, skip=500)
    with pytest.raises(ShortRead, match="delivered 999 events, but the stream holds 1000"):
        [p async for p in read_pages(nc, stream, f"smart.{kab}.>", 1, 100)]


async def test_rebuild_replay_and_verify_fail_on_a_short_read_and_change_nothing(
    pool: asyncpg.Pool,
    settings: Settings,
    kab: str,
    live: list[ReadSide],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the live read models of a history, and reads that end early
    target = kecamatan_of(kab)[0]
    rows = "select * from donations.fund where kab = $1 order by kec"
    before = await pool.fetch(rows, kab)
    assert before
    ending_early(monkeypatch, after=50)
    # When a rebuild, a replay or a verify reads the log, Then each fails, naming the read
    with pytest.raises(ShortRead, match="the read ended early"):
        await rebuild_all(live)
    with pytest.raises(ShortRead, match="the read ended early"):
        await ops.replay(settings, None, kab=kab, kec=target)
    with pytest.raises(ShortRead, match="the read ended early"):
        await verify_cmd.verify(settings, None)
    # And the live read models are as they were
    assert await pool.fetch(rows, kab) == before
    for side in live:
        await pool.execute(f"drop schema if exists {side.schema}__shadow cascade")


def test_the_command_line_exits_2_on_a_short_read(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def failing() -> int:
        raise ShortRead("the read of SMART_0000 ended early")

    monkeypatch.setattr(main, "_command", lambda _args: failing())
    assert main.main(["verify"]) == 2
    assert "could not read the log: the read of SMART_0000 ended early" in capsys.readouterr().err
