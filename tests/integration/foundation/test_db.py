"""Bulk inserts on a real PostgreSQL: COPY, and the INSERT's result when a key exists."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest
import pytest_asyncio

from shared.db import insert_rows

pytestmark = pytest.mark.integration

COLUMNS = ("id", "day", "tags", "amount")
UPSERT = "on conflict (id) do update set amount = t.amount + excluded.amount"


@pytest_asyncio.fixture
async def conn(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    schema = f"t_{uuid.uuid4().hex[:10]}"
    async with pool.acquire() as c:
        await c.execute(
            f"create schema {schema}; set search_path to {schema};"
            " create table t (id text primary key, day date not null, tags text[] not null,"
            " amount bigint not null, note text not null default 'none')"
        )
        yield c
        await c.execute(f"drop schema {schema} cascade; reset search_path")


async def rows(conn: asyncpg.Connection) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await conn.fetch("select * from t order by id")]


async def test_rows_are_copied_with_their_types_and_defaults(conn: asyncpg.Connection) -> None:
    await insert_rows(
        conn, "t", COLUMNS, [("a", date(2025, 3, 7), ["PKH"], 5), ("b", date(2025, 3, 8), [], 7)]
    )
    assert await rows(conn) == [
        ("a", date(2025, 3, 7), ["PKH"], 5, "none"),
        ("b", date(2025, 3, 8), [], 7, "none"),
    ]


async def test_an_existing_key_gets_the_on_conflict_result(conn: asyncpg.Connection) -> None:
    await insert_rows(conn, "t", COLUMNS, [("a", date(2025, 3, 7), ["PKH"], 5)])
    async with conn.transaction():
        await insert_rows(
            conn,
            "t",
            COLUMNS,
            [("a", date(2025, 3, 7), ["PKH"], 10), ("c", date(2025, 3, 9), ["BPNT"], 1)],
            UPSERT,
        )
        await insert_rows(
            conn, "t", COLUMNS, [("c", date(2025, 1, 1), [], 99)], "on conflict do nothing"
        )
    assert await rows(conn) == [
        ("a", date(2025, 3, 7), ["PKH"], 15, "none"),
        ("c", date(2025, 3, 9), ["BPNT"], 1, "none"),
    ]


async def test_without_a_clause_an_existing_key_fails_and_writes_nothing(
    conn: asyncpg.Connection,
) -> None:
    await insert_rows(conn, "t", COLUMNS, [("a", date(2025, 3, 7), [], 5)])
    with pytest.raises(asyncpg.UniqueViolationError):
        await insert_rows(
            conn, "t", COLUMNS, [("b", date(2025, 3, 7), [], 1), ("a", date(2025, 3, 7), [], 1)]
        )
    assert await rows(conn) == [("a", date(2025, 3, 7), [], 5, "none")]
