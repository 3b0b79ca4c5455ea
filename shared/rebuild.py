"""Rebuilding a service's read models from sequence 1 into a shadow schema, then switching.

The live schema keeps serving during the rebuild. The switch waits out in-flight projector
batches (an exclusive advisory lock against their shared one), brings the shadow up to the
live checkpoints, and renames the schemas in one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from shared.db import DbConn, advisory_key, ident, migrate
from shared.logreader import StoredEvent, read_pages
from shared.projection import record_dead_letter, relevant, save_checkpoint
from shared.readside import ReadSide
from shared.tenancy import STREAM_PREFIX, kab_of_stream, stream_name

Bounds = dict[tuple[str, str], int]


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


async def apply_page(
    conn: DbConn,
    readside: ReadSide,
    schema: str,
    kab: str,
    page: Sequence[StoredEvent],
    floors: Bounds | None = None,
    ceilings: Bounds | None = None,
) -> None:
    """Apply one page of the log to every projection (inside the caller's transaction),
    each only above its floor and up to its ceiling when given."""
    stream = stream_name(kab)
    await conn.execute(f"set local search_path to {ident(schema)}")
    for projection in readside.projections:
        key = (projection.name, stream)
        floor = (floors or {}).get(key, 0)
        ceiling = (ceilings or {}).get(key, page[-1].seq) if ceilings is not None else page[-1].seq
        events = [e for e in relevant(projection, kab, page) if floor < e.seq <= ceiling]
        if events:
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
        top = min(ceiling, page[-1].seq)
        if top > floor:
            await save_checkpoint(conn, projection.name, stream, top)


async def positions(conn: DbConn, schema: str) -> Bounds:
    rows = await conn.fetch(f"select projection, stream, position from {ident(schema)}.checkpoints")
    return {(r["projection"], r["stream"]): int(r["position"]) for r in rows}


async def catch_up(
    conn: DbConn,
    readside: ReadSide,
    shadow: str,
    kab: str,
    ceilings: Bounds | None = None,
    progress: ProgressFn | None = None,
) -> int:
    """Apply to `shadow` what it has not seen yet of the kabupaten's log."""
    stream = stream_name(kab)
    floors = await positions(conn, shadow)
    start = min((floors.get((p.name, stream), 0) for p in readside.projections), default=0) + 1
    limit = (
        max(((ceilings or {}).get((p.name, stream), 0) for p in readside.projections), default=0)
        if ceilings is not None
        else None
    )
    end = await readside.store.last_seq(kab)
    started, count = time.monotonic(), 0
    async for page in read_pages(readside.nc, stream, f"smart.{kab}.>", start, batch=2000):
        events = page if limit is None else [e for e in page if e.seq <= limit]
        if not events:
            break
        async with conn.transaction():
            await apply_page(conn, readside, shadow, kab, events, floors, ceilings)
        count += len(events)
        if progress:
            progress(Progress(stream, events[-1].seq, end, count, time.monotonic() - started))
    return count


def served_kabupaten(readside: ReadSide, stream_names: list[str]) -> list[str]:
    kabs = [kab_of_stream(n) for n in stream_names if n.startswith(STREAM_PREFIX)]
    return [k for k in kabs if readside.kabupaten is None or k in readside.kabupaten]


async def build_shadow(
    conn: DbConn,
    readside: ReadSide,
    shadow: str,
    ceilings: Bounds | None = None,
    progress: ProgressFn | None = None,
) -> list[str]:
    """A fresh `shadow` schema projected from sequence 1; returns the kabupaten covered."""
    await conn.execute(f"drop schema if exists {ident(shadow)} cascade")
    await migrate(conn, shadow, readside.migrations)
    kabs = served_kabupaten(readside, await readside.store.stream_names())
    for kab in kabs:
        await catch_up(conn, readside, shadow, kab, ceilings, progress)
    return kabs


async def rebuild(
    readside: ReadSide, *, switch: bool = True, progress: ProgressFn | None = None
) -> str:
    """Project the whole log into `<schema>__shadow`; switch it live unless told not to.
    Returns the name of the schema holding the rebuilt read models."""
    shadow = f"{readside.schema}__shadow"
    async with readside.pool.acquire() as conn:
        kabs = await build_shadow(conn, readside, shadow, progress=progress)
        if not switch:
            return shadow
        await _switch(conn, readside, shadow, kabs)
    return readside.schema


async def _switch(conn: DbConn, readside: ReadSide, shadow: str, kabs: list[str]) -> None:
    live = readside.schema
    for kab in kabs:
        await catch_up(conn, readside, shadow, kab)
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock($1)", advisory_key("switch", live))
        live_positions = await positions(conn, live)
        for kab in kabs:
            await catch_up(conn, readside, shadow, kab, live_positions)
        await conn.execute(f"alter schema {live} rename to {live}__old")
        await conn.execute(f"alter schema {shadow} rename to {live}")
        await conn.execute(f"drop schema {live}__old cascade")
