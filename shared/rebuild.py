"""Rebuilding a service's read models from sequence 1 into a shadow schema, then switching.

The live schema keeps serving during the rebuild. The switch waits out in-flight projector
batches (an exclusive advisory lock against their shared one), brings the shadow up to the
live checkpoints, and renames the schemas in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import TYPE_CHECKING, cast

from shared.db import DbConn, advisory_key, ident, migrate
from shared.logreader import StoredEvent, read_pages
from shared.projection import (
    Projection,
    record_dead_letter,
    relevant,
    save_checkpoint,
    save_checkpoints,
    subject_matches,
)
from shared.readside import ReadSide
from shared.tally import Additive, Tally, is_additive, write_all
from shared.tenancy import STREAM_PREFIX, kab_of_stream, stream_name

if TYPE_CHECKING:
    from shared.replay_workers import Workers

Bounds = dict[tuple[str, str], int]
# Events per page, applied in one transaction per service. Additive read models fold a
# page's events per key before writing: with 20,000 rather than 5,000 PostgreSQL spent 37
# instead of 42 us of CPU per replayed event, for ~25 MB more per worker (bench.replay).
PAGE = 20_000


@dataclass
class Progress:
    stream: str
    position: int
    end: int
    events: int
    elapsed_s: float

    @property
    def rate(self) -> float:
        return self.events / self.elapsed_s if self.elapsed_s > 0 else 0.0


ProgressFn = Callable[[Progress], None]


class _Routes:
    """Which events of a page feed which projection: each distinct set of subject filters
    is matched once per page, and once per subject prefix (filters ending in a wildcard do
    not depend on the aggregate id)."""

    def __init__(self) -> None:
        self._hits: dict[tuple[str, ...], dict[str, bool]] = {}
        self._page: tuple[int, int, int, int] = (0, 0, 0, 0)
        self._prefixes: list[str] = []
        self._distinct: dict[str, StoredEvent] = {}
        self._picked: dict[tuple[str, ...], list[StoredEvent]] = {}

    def relevant(
        self, projection: Projection, kab: str, page: Sequence[StoredEvent]
    ) -> list[StoredEvent]:
        filters = tuple(projection.filters(kab))
        if not page or not all(f.endswith((".*", ".>")) for f in filters):
            return relevant(projection, kab, page)
        mark = (id(page), len(page), page[0].seq, page[-1].seq)
        if mark != self._page:
            self._page, self._picked = mark, {}
            self._prefixes = [e.subject.rpartition(".")[0] for e in page]
            self._distinct = dict(zip(self._prefixes, page, strict=True))
        picked = self._picked.get(filters)
        if picked is None:
            seen = self._hits.setdefault(filters, {})
            for prefix, e in self._distinct.items():
                if prefix not in seen:
                    seen[prefix] = any(subject_matches(f, e.subject) for f in filters)
            if all(map(seen.__getitem__, self._distinct)):
                picked = list(page)
            else:  # in C: this runs for every event of a page times its distinct filters
                picked = list(compress(page, map(seen.__getitem__, self._prefixes)))
            self._picked[filters] = picked
        return picked


ROUTES = _Routes()


# Rows an additive projection may hold folded in memory during a rebuild before it writes
# them (~250 bytes each): bounds a worker's memory however long a kabupaten's history is.
MAX_FOLDED_ROWS = 50_000


@dataclass
class Folded:
    """An additive projection's tallies of a stream being rebuilt, not written yet, and the
    last position they include: its checkpoint, saved when they are written."""

    tallies: list[Tally]
    last: int = 0


Folds = dict[str, Folded]


async def apply_page(
    conn: DbConn,
    readside: ReadSide,
    schema: str,
    kab: str,
    page: Sequence[StoredEvent],
    floors: Bounds | None = None,
    ceilings: Bounds | None = None,
    folds: Folds | None = None,
) -> None:
    """Apply one page of the log to every projection (inside the caller's transaction),
    each only above its floor and up to its ceiling when given. With `folds`, additive
    projections fold the page into them instead of writing it (see `write_folds`)."""
    stream = stream_name(kab)
    await conn.execute(f"set local search_path to {ident(schema)}")
    reached: dict[str, int] = {}
    for projection in readside.projections:
        key = (projection.name, stream)
        floor = (floors or {}).get(key, 0)
        ceiling = (ceilings or {}).get(key, page[-1].seq) if ceilings is not None else page[-1].seq
        events = ROUTES.relevant(projection, kab, page)
        if floor >= page[0].seq or ceiling < page[-1].seq:
            events = [e for e in events if floor < e.seq <= ceiling]
        top = min(ceiling, page[-1].seq)
        if folds is not None and is_additive(projection) and top > floor:
            if _fold(cast(Additive, projection), folds, events, top):
                if sum(len(t.rows) for t in folds[projection.name].tallies) > MAX_FOLDED_ROWS:
                    await _write_fold(conn, projection.name, stream, folds.pop(projection.name))
                continue
            await _write_fold(conn, projection.name, stream, folds.pop(projection.name))
        if events:
            await _apply_or_bury(conn, projection, stream, list(events))
        if top > floor:
            reached[projection.name] = top
    await save_checkpoints(conn, stream, reached)


def _fold(projection: Additive, folds: Folds, events: Sequence[StoredEvent], top: int) -> bool:
    """Add a page to the projection's folded tallies; False if an event could not be folded
    (the page then goes the ordinary way, which dead-letters what fails)."""
    folded = folds.setdefault(projection.name, Folded(projection.tallies()))
    if events:
        page = projection.tallies()
        try:
            projection.fold(page, events)
        except Exception:
            return False
        for tally, more in zip(folded.tallies, page, strict=True):
            tally.merge(more)
    folded.last = top
    return True


async def _write_fold(conn: DbConn, name: str, stream: str, folded: Folded) -> None:
    """Write folded tallies by COPY (the shadow holds none of their keys, or the upsert
    takes over) with the checkpoint they reach, in the caller's transaction."""
    await write_all(conn, folded.tallies, fresh=True)
    if folded.last:
        await save_checkpoint(conn, name, stream, folded.last)


async def write_folds(conn: DbConn, schema: str, stream: str, folds: Folds) -> None:
    """Write what additive projections folded of a stream, in one transaction."""
    if not folds:
        return
    async with conn.transaction():
        await conn.execute(f"set local search_path to {ident(schema)}")
        for name, folded in folds.items():
            await _write_fold(conn, name, stream, folded)
    folds.clear()


async def _apply_or_bury(
    conn: DbConn, projection: Projection, stream: str, events: list[StoredEvent]
) -> None:
    try:
        async with conn.transaction():
            await projection.apply(conn, events)
    except Exception:
        for event in events:
            try:
                async with conn.transaction():
                    await projection.apply(conn, [event])
            except Exception as exc:
                await record_dead_letter(conn, projection.name, stream, event, exc, 1)


async def unhurried_commits(conn: DbConn) -> None:
    """A connection filling a shadow schema does not wait for each commit to reach the disk.
    No one reads a shadow until the switch, whose own commit is durable; a crash before it
    loses only shadow work, which the next rebuild drops and redoes. (Waiting for the WAL
    flush of each page's commits left the CPUs idle: a 1M-event replay took 20.5 instead of
    22 s, `python -m bench.replay`.) Back to the server's setting when the connection
    returns to its pool (asyncpg resets it)."""
    await conn.execute("set synchronous_commit = off")


async def positions(conn: DbConn, schema: str) -> Bounds:
    rows = await conn.fetch(f"select projection, stream, position from {ident(schema)}.checkpoints")
    return {(r["projection"], r["stream"]): int(r["position"]) for r in rows}


@dataclass
class Target:
    """One service's read models being built: its read side, schema and connection, and
    optionally the positions to stop at. With `folds` (a rebuild into an empty shadow),
    additive projections fold a whole stream before writing it (`finish`)."""

    readside: ReadSide
    schema: str
    conn: DbConn
    ceilings: Bounds | None = None
    floors: Bounds | None = None
    folds: Folds | None = None

    def start(self, stream: str) -> int:
        names = [p.name for p in self.readside.projections]
        return min(((self.floors or {}).get((n, stream), 0) for n in names), default=0) + 1

    def limit(self, stream: str) -> int | None:
        if self.ceilings is None:
            return None
        names = [p.name for p in self.readside.projections]
        return max((self.ceilings.get((n, stream), 0) for n in names), default=0)

    async def apply(self, kab: str, page: list[StoredEvent]) -> None:
        limit = self.limit(stream_name(kab))
        events = page if limit is None else [e for e in page if e.seq <= limit]
        if events:
            async with self.conn.transaction():
                await apply_page(
                    self.conn,
                    self.readside,
                    self.schema,
                    kab,
                    events,
                    self.floors,
                    self.ceilings,
                    self.folds,
                )

    async def finish(self, kab: str) -> None:
        if self.folds:
            await write_folds(self.conn, self.schema, stream_name(kab), self.folds)


async def catch_up_all(
    targets: Sequence[Target],
    kab: str,
    progress: ProgressFn | None = None,
    batch: int = PAGE,
    subjects: str | None = None,
) -> int:
    """Apply to every target what it has not seen yet of the kabupaten's log (above its
    floors: its own checkpoints unless given), reading the log once: each page goes to all
    targets at once, one transaction each, while the next page is being read."""
    stream = stream_name(kab)
    for target in targets:
        if target.floors is None:
            target.floors = await positions(target.conn, target.schema)
    start = min(t.start(stream) for t in targets)
    limits = [t.limit(stream) for t in targets]
    limit = None if None in limits else max(x for x in limits if x is not None)
    end = await targets[0].readside.store.last_seq(kab)
    started, count = time.monotonic(), 0
    nc, subjects = targets[0].readside.nc, subjects or f"smart.{kab}.>"
    async with contextlib.aclosing(read_pages(nc, stream, subjects, start, batch)) as pages:
        async for page in pages:
            events = page if limit is None else [e for e in page if e.seq <= limit]
            if not events:
                break
            await asyncio.gather(*(t.apply(kab, events) for t in targets))
            count += len(events)
            if progress:
                progress(Progress(stream, events[-1].seq, end, count, time.monotonic() - started))
    await asyncio.gather(*(t.finish(kab) for t in targets))
    return count


async def catch_up(
    conn: DbConn,
    readside: ReadSide,
    shadow: str,
    kab: str,
    ceilings: Bounds | None = None,
    progress: ProgressFn | None = None,
    subjects: str | None = None,
) -> int:
    """Apply to `shadow` what it has not seen yet of the kabupaten's log (of its `subjects`
    only, when given)."""
    targets = [Target(readside, shadow, conn, ceilings)]
    return await catch_up_all(targets, kab, progress, subjects=subjects)


def served_kabupaten(readside: ReadSide, stream_names: list[str]) -> list[str]:
    kabs = [kab_of_stream(n) for n in stream_names if n.startswith(STREAM_PREFIX)]
    return [k for k in kabs if readside.kabupaten is None or k in readside.kabupaten]


async def rebuild(
    readside: ReadSide, *, switch: bool = True, progress: ProgressFn | None = None
) -> str:
    """Project the whole log into `<schema>__shadow`; switch it live unless told not to.
    Returns the name of the schema holding the rebuilt read models."""
    return (await rebuild_all([readside], switch=switch, progress=progress))[0]


async def rebuild_all(
    readsides: Sequence[ReadSide],
    *,
    switch: bool = True,
    progress: ProgressFn | None = None,
    batch: int = PAGE,
    workers: Workers | None = None,
) -> list[str]:
    """`rebuild` for several services at once, reading each kabupaten's log once for all
    of them (in several processes when `workers` says so). Returns the schemas holding the
    rebuilt read models, in order."""
    async with contextlib.AsyncExitStack() as stack:
        targets = []
        for readside in readsides:
            conn = await stack.enter_async_context(readside.pool.acquire())
            await unhurried_commits(conn)
            shadow = f"{readside.schema}__shadow"
            await conn.execute(f"drop schema if exists {ident(shadow)} cascade")
            await migrate(conn, shadow, readside.migrations)
            await _autovacuum(conn, shadow, enabled=False)
            targets.append(Target(readside, shadow, conn, folds={}))
        names = await readsides[0].store.stream_names()
        served = [served_kabupaten(t.readside, names) for t in targets]
        kabs = sorted({k for kabs in served for k in kabs})
        statistics = functools.partial(_statistics, targets)
        if workers is not None and workers.count > 1:
            await workers.run(readsides[0], kabs, batch, progress, near_end=statistics)
        else:
            for kab in kabs:
                chosen = [t for t, kabs in zip(targets, served, strict=True) if kab in kabs]
                await catch_up_all(chosen, kab, progress, batch)
            await statistics()
        await asyncio.gather(*(_autovacuum(t.conn, t.schema, enabled=True) for t in targets))
        if not switch:
            return [t.schema for t in targets]
        # Each service switches under its own lock: all at once, not one after the other
        # (0.4 s of a 1M-event replay went to the services' final catch-ups in turn).
        await asyncio.gather(
            *(
                _switch(t.conn, t.readside, t.schema, kabs)
                for t, kabs in zip(targets, served, strict=True)
            )
        )
    return [r.schema for r in readsides]


async def _statistics(targets: Sequence[Target]) -> None:
    """Fresh planner statistics for every service's shadow, before it goes live (all
    services' at once: analyzing them one after the other took 3.3 s of a 1M-event
    replay)."""
    await asyncio.gather(*(_analyze(t.conn, t.schema) for t in targets))


async def _tables(conn: DbConn, schema: str) -> list[str]:
    rows = await conn.fetch("select tablename from pg_tables where schemaname = $1", schema)
    return [f"{ident(schema)}.{ident(row['tablename'])}" for row in rows]


async def _analyze(conn: DbConn, schema: str) -> None:
    for table in await _tables(conn, schema):
        await conn.execute(f"analyze {table}")


async def _autovacuum(conn: DbConn, schema: str, *, enabled: bool) -> None:
    """A shadow schema being filled is read by no one: vacuuming its tables while they load
    is work thrown away (~2% of a replay's CPU). Paused while it fills, back on before it
    goes live."""
    for table in await _tables(conn, schema):
        if enabled:
            await conn.execute(f"alter table {table} reset (autovacuum_enabled)")
        else:
            await conn.execute(f"alter table {table} set (autovacuum_enabled = false)")


async def _switch(conn: DbConn, readside: ReadSide, shadow: str, kabs: list[str]) -> None:
    live = readside.schema
    ends = await asyncio.gather(*(readside.store.last_seq(kab) for kab in kabs))
    await _catch_up_behind(conn, readside, shadow, dict(zip(kabs, ends, strict=True)))
    async with conn.transaction():
        await conn.execute("set local synchronous_commit = on")  # the switch is durable
        await conn.execute("select pg_advisory_xact_lock($1)", advisory_key("switch", live))
        live_positions = await positions(conn, live)
        names = [p.name for p in readside.projections]
        reached = {
            kab: max((live_positions.get((n, stream_name(kab)), 0) for n in names), default=0)
            for kab in kabs
        }
        await _catch_up_behind(conn, readside, shadow, reached, live_positions)
        await conn.execute(f"alter schema {live} rename to {live}__old")
        await conn.execute(f"alter schema {shadow} rename to {live}")
        await conn.execute(f"drop schema {live}__old cascade")


async def _catch_up_behind(
    conn: DbConn,
    readside: ReadSide,
    shadow: str,
    targets: dict[str, int],
    ceilings: Bounds | None = None,
) -> None:
    """`catch_up` the kabupaten whose shadow has not reached the given position (a read of
    the log per kabupaten costs round trips even when there is nothing to read)."""
    done = await positions(conn, shadow)
    names = [p.name for p in readside.projections]
    for kab, target in targets.items():
        stream = stream_name(kab)
        if min((done.get((n, stream), 0) for n in names), default=0) < target:
            await catch_up(conn, readside, shadow, kab, ceilings)
