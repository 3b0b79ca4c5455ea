"""PostgreSQL access: pools, per-service schemas, numbered migrations and table digests."""

from __future__ import annotations

import hashlib
import re
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


async def table_digest(conn: DbConn, schema: str, table: str) -> tuple[int, str]:
    """(row count, MD5 over the rows' text in sorted order): equal digests, equal tables."""
    row = await conn.fetchrow(
        f"select count(*) as n, coalesce(md5(string_agg(t::text, E'\\n' order by t::text)), '')"
        f" as digest from {ident(schema)}.{ident(table)} t"
    )
    assert row is not None
    return int(row["n"]), str(row["digest"])
