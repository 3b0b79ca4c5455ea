"""Replay in several processes, each taking whole kabupaten streams on its own connections."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import asyncpg
import nats
from nats.aio.client import Client as NATS

from shared.readside.pages import (
    Progress,
    ProgressFn,
    Target,
    catch_up_all,
    positions,
    served_kabupaten,
    unhurried_commits,
)
from shared.readside.service import ReadSide

StartMethod = Literal["fork", "spawn"]


@dataclass(frozen=True)
class Workers:
    """Replay in `count` processes, each taking whole kabupaten streams. `readsides` is a
    picklable top-level function building the services' read sides on a worker's own
    connections (`nats_servers`, `database_url`)."""

    count: int
    readsides: Callable[[NATS, asyncpg.Pool], Sequence[ReadSide]]
    nats_servers: list[str]
    database_url: str
    start_method: StartMethod | None = None  # None: `start_method()` chooses
    # Where the workers project: `<schema><suffix>`, made ready by the coordinator; with
    # `up_to_live`, only up to the live schema's checkpoints as a worker finds them (verify
    # compares the result with the live read models).
    suffix: str = "__shadow"
    up_to_live: bool = False

    async def run(
        self,
        readside: ReadSide,
        kabs: list[str],
        batch: int,
        progress: ProgressFn | None,
        near_end: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Project these kabupaten's streams into the shadow schemas in `count` processes;
        run `near_end` in this one once at most `NEAR_END` of the events are left."""
        await _in_processes(self, readside, kabs, batch, progress, near_end)


# The share of a replay's events left when `near_end` starts. The services' planner
# statistics are taken then: ANALYZE samples rows anyway, and autovacuum itself counts
# statistics stale only once 10% of the rows have changed. Taken while the last streams are
# projected, they fill the CPU those leave idle instead of following them (0.7 s of a
# 1M-event replay on two cores, `python -m bench.replay`).
NEAR_END = 0.1


def start_method() -> StartMethod:
    """How worker processes start: forked where that is safe, on Linux from a coordinator
    running no other thread (no lock can then be held across the fork), else spawned. A
    forked worker starts with the coordinator's modules loaded; a spawned one imports the
    services again, 0.4 s of each replay (`python -m bench.replay`)."""
    return "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"


async def _in_processes(
    workers: Workers,
    readside: ReadSide,
    kabs: list[str],
    batch: int,
    progress: ProgressFn | None,
    near_end: Callable[[], Awaitable[None]] | None,
) -> None:
    """Workers take the streams from one queue, largest first, each the next one when it is
    done with the last (a fixed share per worker left one idle for seconds at the end)."""
    sizes = {kab: await readside.store.last_seq(kab) for kab in kabs}
    fork = (workers.start_method or start_method()) == "fork"
    context = multiprocessing.get_context("fork") if fork else multiprocessing.get_context("spawn")
    todo: multiprocessing.Queue[str | None] = context.Queue()
    counts: multiprocessing.Queue[int | None] = context.Queue()
    procs = [
        context.Process(target=_work, args=(workers, todo, batch, counts))
        for _ in range(workers.count)
    ]
    for proc in procs:  # before the first put starts the queue's feeder thread
        proc.start()
    for kab in sorted(kabs, key=lambda k: -sizes[k]):
        todo.put(kab)
    for _ in range(workers.count):
        todo.put(None)
    ending = await _follow_counts(counts, len(procs), sum(sizes.values()), progress, near_end)
    for proc in procs:
        proc.join()
    if ending is not None:
        await ending
    elif near_end is not None:
        await near_end()
    if any(proc.exitcode for proc in procs):
        raise RuntimeError("a replay worker failed; the shadow schemas were not switched")


async def _follow_counts(
    counts: multiprocessing.Queue[int | None],
    running: int,
    total: int,
    progress: ProgressFn | None,
    near_end: Callable[[], Awaitable[None]] | None,
) -> asyncio.Future[None] | None:
    """Report the workers' progress until each has said it is done; start `near_end` once
    at most `NEAR_END` of the events are left."""
    loop, done, started, ending = asyncio.get_running_loop(), 0, time.monotonic(), None
    while running:
        if near_end is not None and ending is None and total - done <= total * NEAR_END:
            ending = asyncio.ensure_future(near_end())
        got = await loop.run_in_executor(None, counts.get)
        if got is None:
            running -= 1
            continue
        done += got
        if progress:
            progress(Progress("all streams", done, total, done, time.monotonic() - started))
    return ending


COLLECT_EVERY_PAGES = 10


class _Collector:
    """When a replay worker runs the cyclic garbage collector: between pages, not every 700
    allocations. A replay allocates a few dozen objects per event that reference counting
    frees; the collector's passes over them cost ~10% of a worker's CPU
    (`python -m bench.replay`), and the workers' memory stays flat without them. What start-up
    loaded is frozen out of the collections; a full one runs every `COLLECT_EVERY_PAGES`
    pages, so garbage cycles, if any, are freed all the same. (Once per stream as well cost
    3% of a worker: a kabupaten stream can be short.)"""

    def __init__(self) -> None:
        self.pages = 0

    def start(self) -> None:
        gc.freeze()
        gc.disable()

    def page(self) -> None:
        self.pages += 1
        if self.pages % COLLECT_EVERY_PAGES == 0:
            gc.collect()


async def _target(
    workers: Workers, stack: contextlib.AsyncExitStack, pool: asyncpg.Pool, side: ReadSide
) -> Target:
    """Where this worker projects one service, on a connection of its own."""
    conn = await stack.enter_async_context(pool.acquire())
    await unhurried_commits(conn)
    ceilings = await positions(conn, side.schema) if workers.up_to_live else None
    return Target(side, f"{side.schema}{workers.suffix}", conn, ceilings, folds={})


def _work(
    workers: Workers,
    todo: multiprocessing.Queue[str | None],
    batch: int,
    counts: multiprocessing.Queue[int | None],
) -> None:
    # A forked worker inherits the coordinator's Ctrl-C handler (its event loop's), which
    # would leave the worker running; interrupted, a worker stops, as a spawned one does.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        asyncio.run(_catch_up_streams(workers, todo, batch, counts))
    finally:
        counts.put(None)


async def _catch_up_streams(
    workers: Workers,
    todo: multiprocessing.Queue[str | None],
    batch: int,
    counts: multiprocessing.Queue[int | None],
) -> None:
    nc = await nats.connect(servers=workers.nats_servers)
    pool = await asyncpg.create_pool(workers.database_url, min_size=1, max_size=8)
    collector = _Collector()
    try:
        readsides = workers.readsides(nc, pool)
        async with contextlib.AsyncExitStack() as stack:
            targets = [await _target(workers, stack, pool, side) for side in readsides]
            names = await readsides[0].store.stream_names()
            collector.start()
            while (kab := todo.get()) is not None:  # all queued before start: no wait
                chosen = [t for t in targets if kab in served_kabupaten(t.readside, names)]
                seen = [0]

                def report(p: Progress, seen: list[int] = seen) -> None:
                    counts.put(p.events - seen[0])
                    seen[0] = p.events
                    collector.page()

                await catch_up_all(chosen, kab, report, batch)
    finally:
        await pool.close()
        await nc.close()
