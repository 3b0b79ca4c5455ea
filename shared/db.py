"""PostgreSQL access: pools, per-service schemas, numbered migrations and table digests."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

DbConn: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"
"""A connection, pooled or not: what projections, migrations and digests are given."""

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")

MECHANISM_SQL = """
create table if not exists checkpoints (
    projection text not null,
    stream text not null,
    position bigint not null default 0,
    updated_at timestamptz not null default now(),
    primary key (projection, stream)
);
create table if not exists dead_letters (
    id bigserial primary key,
    projection text not null,
    stream text not null,
    seq bigint not null,
    subject text not null,
    event_type text,
    error text not null,
    attempts int not null,
    created_at timestamptz not null default now(),
    resolved_at timestamptz,
    unique (projection, stream, seq)
);
create table if not exists schema_migrations (
    name text primary key,
    applied_at timestamptz not null default now()
);
"""


def ident(name: str) -> str:
    """A schema or table name, checked: never built from user input."""
    if not _IDENT.match(name):
        raise ValueError(f"{name!r} is not a safe SQL identifier")
    return name


def advisory_key(*parts: str) -> int:
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size)
    if pool is None:
        raise RuntimeError("asyncpg returned no pool")
    return pool


async def migrate(conn: DbConn, schema: str, migrations: Path | None) -> list[str]:
    """Create `schema` with the projection mechanism tables, then apply new .sql files in
    name order, each once. Migrations use unqualified names: they run inside the schema."""
    schema = ident(schema)
    applied: list[str] = []
    files = sorted(migrations.glob("*.sql")) if migrations else []
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock($1)", advisory_key("migrate", schema))
        await conn.execute(f"create schema if not exists {schema}")
        await conn.execute(f"set local search_path to {schema}")
        await conn.execute(MECHANISM_SQL)
        done = {r["name"] for r in await conn.fetch("select name from schema_migrations")}
        for path in files:
            if path.name in done:
                continue
            await conn.execute(path.read_text())
            await conn.execute("insert into schema_migrations(name) values ($1)", path.name)
            applied.append(path.name)
    return applied


async def insert_rows(
    conn: DbConn,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    on_conflict: str | None = None,
) -> None:
    """Insert many rows into `table` (found through the search path) with one COPY: a
    fraction of PostgreSQL's work for one INSERT per row (~2 us of server CPU per row
    instead of ~16, `python -m bench.replay`), which is most of what a replay writes.

    `on_conflict` is the ON CONFLICT clause the rows would be inserted with. COPY has none:
    when it meets a key that is already there, it is undone and the rows are written by
    `upsert_rows` with that clause instead, so the result is always the INSERT's.
    Without a clause an existing key is an error, as it is for a plain INSERT."""
    if not rows:
        return
    names = [ident(c) for c in columns]
    if on_conflict is None:
        await conn.copy_records_to_table(ident(table), columns=names, records=rows)
        return
    try:
        async with conn.transaction():
            await conn.copy_records_to_table(ident(table), columns=names, records=rows)
    except asyncpg.UniqueViolationError:
        await upsert_rows(conn, table, names, rows, on_conflict)


# Array casts of a table's columns, by table and columns: a table's column types are the
# same in every schema that holds it (live and shadow come from the same migrations).
_CASTS: dict[tuple[str, tuple[str, ...]], list[str] | None] = {}


async def _array_casts(conn: DbConn, table: str, columns: Sequence[str]) -> list[str] | None:
    """`::pg_catalog.int4[]` and the like for each column, to pass its values as one array;
    None when a column is itself an array (unnest would flatten it) or of a type defined
    in a schema (the live and the shadow schema would each have their own)."""
    key = (table, tuple(columns))
    if key not in _CASTS:
        statement = await conn.prepare(f"select {', '.join(columns)} from {table} limit 0")
        types = [a.type for a in statement.get_attributes()]
        built_in = all(
            t.kind == "scalar" and t.schema == "pg_catalog" and _IDENT.match(t.name) for t in types
        )
        _CASTS[key] = [f"::pg_catalog.{t.name}[]" for t in types] if built_in else None
    return _CASTS[key]


async def upsert_rows(
    conn: DbConn,
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    on_conflict: str,
) -> None:
    """`INSERT INTO table (columns) ... <on_conflict>` for many rows in one statement, its
    values given as one array per column: PostgreSQL plans and starts it once, not once per
    row (server CPU per upserted row ~8 us -> ~5 us, `bench.replay`).

    The result is the one-row-at-a-time INSERT's. A key given twice is the exception (ON
    CONFLICT DO UPDATE may not touch a row twice in one statement): the statement is then
    undone and the rows go in one at a time, as do rows with an array column."""
    if not rows:
        return
    names = [ident(c) for c in columns]
    marks = ", ".join(f"${i}" for i in range(1, len(names) + 1))
    single_row = f"insert into {ident(table)} ({', '.join(names)}) values ({marks}) {on_conflict}"
    casts = await _array_casts(conn, ident(table), names)
    if casts is not None and len(rows) > 1:
        arrays = ", ".join(f"${i}{cast}" for i, cast in enumerate(casts, start=1))
        try:
            async with conn.transaction():
                await conn.execute(
                    f"insert into {ident(table)} ({', '.join(names)})"
                    f" select * from unnest({arrays}) {on_conflict}",
                    *(list(column) for column in zip(*rows, strict=True)),
                )
        except asyncpg.CardinalityViolationError:
            pass
        else:
            return
    await conn.executemany(single_row, rows)


async def update_rows(
    conn: DbConn,
    table: str,
    keys: Sequence[str],
    values: Sequence[str],
    rows: Sequence[Sequence[Any]],
    assignments: str,
) -> None:
    """`UPDATE table SET <assignments>` for many rows in one statement: each row is its key
    columns' values, then its `values` columns', which `assignments` names `v.<column>`
    (`status = v.status, follow_ups = table.follow_ups + v.follow_ups`). Rows whose key is
    not in the table change nothing, as a one-row UPDATE would. A key may be given only
    once: one statement updates a row at most once, so a second would be lost."""
    if not rows:
        return
    table, names = ident(table), [ident(c) for c in (*keys, *values)]
    if len({tuple(row[: len(keys)]) for row in rows}) != len(rows):
        raise ValueError(f"update_rows: a key of {table} is given twice; fold the rows first")
    casts = await _array_casts(conn, table, names)
    if casts is None:
        raise TypeError(f"update_rows: a column of {table} cannot be passed as an array")
    arrays = ", ".join(f"${i}{cast}" for i, cast in enumerate(casts, start=1))
    matches = " and ".join(f"{table}.{k} = v.{k}" for k in names[: len(keys)])
    await conn.execute(
        f"update {table} set {assignments} from unnest({arrays}) as v({', '.join(names)})"
        f" where {matches}",
        *(list(column) for column in zip(*rows, strict=True)),
    )


def scope_rows(kab: str | None, kec: str | None = None) -> tuple[str, list[str]]:
    """A `where` clause on a table aliased `t` keeping one kabupaten's or one kecamatan's
    rows, and its arguments (none and nothing: every row)."""
    if kec is not None:
        return "where t.kab = $1 and t.kec = $2", [kab or kec[:4], kec]
    if kab is not None:
        return "where t.kab = $1", [kab]
    return "", []


async def table_digest(
    conn: DbConn, schema: str, table: str, kab: str | None = None, kec: str | None = None
) -> tuple[int, str]:
    """(row count, MD5 over the rows' text in sorted order): equal digests, equal tables.
    Given a kabupaten or kecamatan, of its rows only (the table has `kab` and `kec`)."""
    where, args = scope_rows(kab, kec)
    row = await conn.fetchrow(
        f"select count(*) as n, coalesce(md5(string_agg(t::text, E'\\n' order by t::text)), '')"
        f" as digest from {ident(schema)}.{ident(table)} t {where}",
        *args,
    )
    assert row is not None
    return int(row["n"]), str(row["digest"])
