"""Bringing a rebuilt shadow schema live: its statistics, autovacuum, last catch-up, rename."""

from __future__ import annotations

import asyncio

from shared.db import DbConn, advisory_key, ident
from shared.readside.pages import Bounds, catch_up, positions
from shared.readside.service import ReadSide
from shared.tenancy import stream_name


async def _tables(conn: DbConn, schema: str) -> list[str]:
    rows = await conn.fetch("select tablename from pg_tables where schemaname = $1", schema)
    return [f"{ident(schema)}.{ident(row['tablename'])}" for row in rows]


async def analyze(conn: DbConn, schema: str) -> None:
    """Fresh planner statistics for a schema's tables, before it goes live."""
    for table in await _tables(conn, schema):
        await conn.execute(f"analyze {table}")


async def autovacuum(conn: DbConn, schema: str, *, enabled: bool) -> None:
    """A shadow schema being filled is read by no one: vacuuming its tables while they load
    is work thrown away (~2% of a replay's CPU). Paused while it fills, back on before it
    goes live."""
    for table in await _tables(conn, schema):
        if enabled:
            await conn.execute(f"alter table {table} reset (autovacuum_enabled)")
        else:
            await conn.execute(f"alter table {table} set (autovacuum_enabled = false)")


async def switch_over(conn: DbConn, readside: ReadSide, shadow: str, kabs: list[str]) -> None:
    """Catch the shadow up to the log's head, then, under the exclusive switch lock (live
    projectors' batches wait on it), up to the live checkpoints, and rename it live, durably."""
    live = readside.schema
    ends = await asyncio.gather(*(readside.store.last_seq(kab) for kab in kabs))
    await _catch_up_behind(conn, readside, shadow, dict(zip(kabs, ends, strict=True)))
    async with conn.transaction():
        await conn.execute("set local synchronous_commit = on")
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
