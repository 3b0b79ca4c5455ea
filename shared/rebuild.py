"""Rebuilding a service's read models from sequence 1 into a shadow schema, then switching.

The live schema keeps serving during the rebuild. The switch waits out in-flight projector
batches (an exclusive advisory lock against their shared one), brings the shadow up to the
live checkpoints, and renames the schemas in one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import asyncpg

from shared.db import advisory_key, ident, migrate
from shared.logreader import StoredEvent, read_pages
from shared.projection import record_dead_letter, relevant, save_checkpoint
from shared.readside import ReadSide
from shared.tenancy import STREAM_PREFIX, kab_of_stream, stream_name


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
    conn: asyncpg.Connection, readside: ReadSide, schema: str, kab: str,
    page: Sequence[StoredEvent], after: dict[str, int] | None = None,
) -> None:
    """Apply one page of the log to every projection (inside the caller's transaction)."""
    stream = stream_name(kab)
    await conn.execute(f"set local search_path to {ident(schema)}")
    for projection in readside.projections:
        floor = (after or {}).get(projection.name, 0)
        events = [e for e in relevant(projection, kab, page) if e.seq > floor]
        if events:
            try:
                async with conn.transaction():
                    await projection.apply(conn, events)
            except Exception:  # noqa: BLE001 - narrowed event by event below
                for event in events:
                    try:
                        async with conn.transaction():
                            await projection.apply(conn, [event])
                    except Exception as exc:  # noqa: BLE001 - recorded as a dead letter
                        await record_dead_letter(conn, projection.name, stream, event, exc, 1)
        await save_checkpoint(conn, projection.name, stream, page[-1].seq)


async def _positions(conn: asyncpg.Connection, schema: str) -> dict[tuple[str, str], int]:
    rows = await conn.fetch(f"select projection, stream, position from {ident(schema)}.checkpoints")
    return {(r["projection"], r["stream"]): int(r["position"]) for r in rows}


async def _catch_up(
    conn: asyncpg.Connection, readside: ReadSide, shadow: str, kab: str, upto: int | None = None
) -> int:
    stream = stream_name(kab)
    done = await _positions(conn, shadow)
    after = {p.name: done.get((p.name, stream), 0) for p in readside.projections}
    start = min(after.values(), default=0) + 1
    count = 0
    async for page in read_pages(readside.nc, stream, f"smart.{kab}.>", start, batch=2000):
        if upto is not None:
            page = [e for e in page if e.seq <= upto]
            if not page:
                break
        async with conn.transaction():
            await apply_page(conn, readside, shadow, kab, page, after)
        count += len(page)
    return count


async def rebuild(
    readside: ReadSide, *, switch: bool = True, progress: ProgressFn | None = None
) -> str:
    """Project the whole log into `<schema>__shadow`; switch it live unless told not to.
    Returns the name of the schema holding the rebuilt read models."""
    shadow = f"{readside.schema}__shadow"
    async with readside.pool.acquire() as conn:
        await conn.execute(f"drop schema if exists {shadow} cascade")
        await migrate(conn, shadow, readside.migrations)
        names = [n for n in await readside.store.stream_names() if n.startswith(STREAM_PREFIX)]
        kabs = [kab_of_stream(n) for n in names
                if readside.kabupaten is None or kab_of_stream(n) in readside.kabupaten]
        for kab in kabs:
            await _rebuild_stream(conn, readside, shadow, kab, progress)
        if not switch:
            return shadow
        await _switch(conn, readside, shadow, kabs)
    return readside.schema


async def _rebuild_stream(
    conn: asyncpg.Connection, readside: ReadSide, shadow: str, kab: str,
    progress: ProgressFn | None,
) -> None:
    stream = stream_name(kab)
    end = await readside.store.last_seq(kab)
    started, count = time.monotonic(), 0
    async for page in read_pages(readside.nc, stream, f"smart.{kab}.>", 1, batch=2000):
        async with conn.transaction():
            await apply_page(conn, readside, shadow, kab, page)
        count += len(page)
        if progress:
            progress(Progress(stream, page[-1].seq, end, count, time.monotonic() - started))


async def _switch(
    conn: asyncpg.Connection, readside: ReadSide, shadow: str, kabs: list[str]
) -> None:
    live = readside.schema
    for kab in kabs:
        await _catch_up(conn, readside, shadow, kab)
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock($1)", advisory_key("switch", live))
        live_positions = await _positions(conn, live)
        for kab in kabs:
            upto = max((v for (_, s), v in live_positions.items() if s == stream_name(kab)),
                       default=0)
            await _catch_up(conn, readside, shadow, kab, upto)
        await conn.execute(f"alter schema {live} rename to {live}__old")
        await conn.execute(f"alter schema {shadow} rename to {live}")
        await conn.execute(f"drop schema {live}__old cascade")
