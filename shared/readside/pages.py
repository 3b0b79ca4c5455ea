"""Applying the log a page at a time to read models being built: shadows, scratch, catch-ups."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import cast

from shared.db import DbConn, ident
from shared.log.reader import StoredEvent, read_pages
from shared.readside.apply import Applier
from shared.readside.projection import Projection
from shared.readside.routing import Routes
from shared.readside.service import ReadSide
from shared.readside.tally import Additive, Folded, Folds, is_additive, write_all
from shared.tenancy import STREAM_PREFIX, kab_of_stream, stream_name

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


def served_kabupaten(readside: ReadSide, stream_names: list[str]) -> list[str]:
    kabs = [kab_of_stream(n) for n in stream_names if n.startswith(STREAM_PREFIX)]
    return [k for k in kabs if readside.kabupaten is None or k in readside.kabupaten]


async def _write_fold(applier: Applier, name: str, stream: str, folded: Folded) -> None:
    """Write folded tallies by COPY (the shadow holds none of their keys, or the upsert
    takes over) with the checkpoint they reach, in the applier's transaction."""
    await write_all(applier.conn, folded.tallies, fresh=True)
    if folded.last:
        applier.reach(name, stream, folded.last)


@dataclass
class Target:
    """One service's read models being built: its read side, schema and connection, and
    optionally the positions to start above (`floors`, its own checkpoints unless given)
    and to stop at (`ceilings`). With `folds` (a rebuild into an empty schema), additive
    projections fold a whole stream before writing it (`finish`); every other batch goes
    through an `Applier`, as the live projectors' do."""

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

    async def apply(self, kab: str, page: list[StoredEvent], routes: Routes) -> None:
        """One page for every projection, in one transaction."""
        stream = stream_name(kab)
        limit = self.limit(stream)
        events = page if limit is None else [e for e in page if e.seq <= limit]
        if events:
            async with Applier(self.conn, self.schema, self.readside.settings) as applier:
                for projection in self.readside.projections:
                    routed = routes.relevant(projection, kab, events)
                    await self._project(applier, projection, stream, routed, events)

    async def _project(
        self,
        applier: Applier,
        projection: Projection,
        stream: str,
        routed: list[StoredEvent],
        page: list[StoredEvent],
    ) -> None:
        key, last = (projection.name, stream), page[-1].seq
        floor = (self.floors or {}).get(key, 0)
        ceiling = self.ceilings.get(key, last) if self.ceilings is not None else last
        events = routed
        if floor >= page[0].seq or ceiling < last:
            events = [e for e in routed if floor < e.seq <= ceiling]
        top = min(ceiling, last)
        if top <= floor:
            return
        additive = self.folds is not None and is_additive(projection)
        if additive and await self._fold(applier, cast(Additive, projection), stream, events, top):
            return
        await applier.apply(projection, stream, events, after=floor, upto=top)

    async def _fold(
        self,
        applier: Applier,
        projection: Additive,
        stream: str,
        events: list[StoredEvent],
        top: int,
    ) -> bool:
        """Fold into the stream's tallies (written once they grow too large); False when
        the events must go the ordinary way (what was folded is written first)."""
        folds = cast(Folds, self.folds)
        folded = folds.setdefault(projection.name, Folded(projection.tallies()))
        if folded.add(projection, events, top):
            if folded.full:
                await _write_fold(applier, projection.name, stream, folds.pop(projection.name))
            return True
        await _write_fold(applier, projection.name, stream, folds.pop(projection.name))
        return False

    async def finish(self, kab: str) -> None:
        """Write what additive projections folded of the stream, in one transaction."""
        if self.folds:
            async with Applier(self.conn, self.schema, self.readside.settings) as applier:
                for name, folded in self.folds.items():
                    await _write_fold(applier, name, stream_name(kab), folded)
            self.folds.clear()


async def catch_up_all(
    targets: Sequence[Target],
    kab: str,
    progress: ProgressFn | None = None,
    batch: int = PAGE,
    subjects: str | None = None,
) -> int:
    """Apply to every target what it has not seen yet of the kabupaten's log (above its
    floors), reading the log once: each page goes to all targets at once, one transaction
    each, while the next page is being read."""
    stream, routes = stream_name(kab), Routes()
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
            await asyncio.gather(*(t.apply(kab, events, routes) for t in targets))
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
