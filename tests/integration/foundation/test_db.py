"""Bulk writes on a real PostgreSQL: COPY and one-statement upserts, each with the result
of the one-row-at-a-time INSERT."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest
import pytest_asyncio

from shared.db import insert_rows, update_rows, upsert_rows

pytestmark = pytest.mark.integration

COLUMNS = ("id", "day", "tags", "amount")
UPSERT = "on conflict (id) do update set amount = t.amount + excluded.amount"


@pytest_asyncio.fixture
async def conn(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    schema = f"t_{uuid.uuid4().hex[:10]}"
    async with pool.acquire() as c:
        await c.execute(
            f"create schema {schema}; set search_path to {schema};"
            " create table t (id text primary key, day date not null,"
            " tags text[] not null default '{}', amount bigint not null,"
            " note text not null default 'none');"
            " create table statements (n int);"
            " create function count_statement() returns trigger language plpgsql as"
            " $$ begin insert into statements values (1); return null; end $$;"
            " create trigger counted after insert on t"
            " for each statement execute function count_statement()"
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


SCALARS = ("id", "day", "amount")


async def test_one_statement_upsert_adds_to_existing_rows_and_inserts_new_ones(
    conn: asyncpg.Connection,
) -> None:
    await insert_rows(conn, "t", COLUMNS, [("a", date(2025, 3, 7), ["PKH"], 5)])
    await conn.execute("truncate statements")
    await upsert_rows(
        conn, "t", SCALARS, [("a", date(2025, 3, 1), 10), ("b", date(2025, 3, 8), 7)], UPSERT
    )
    assert await conn.fetchval("select count(*) from statements") == 1
    assert await rows(conn) == [
        ("a", date(2025, 3, 7), ["PKH"], 15, "none"),
        ("b", date(2025, 3, 8), [], 7, "none"),
    ]


async def test_a_key_given_twice_is_applied_twice_as_row_by_row(
    conn: asyncpg.Connection,
) -> None:
    # One INSERT ... ON CONFLICT DO UPDATE may not touch a row twice: the rows go one by one.
    async with conn.transaction():
        await upsert_rows(
            conn,
            "t",
            SCALARS,
            [("a", date(2025, 3, 7), 1), ("b", date(2025, 3, 7), 2), ("a", date(2025, 3, 7), 4)],
            UPSERT,
        )
    assert [(r[0], r[3]) for r in await rows(conn)] == [("a", 5), ("b", 2)]


async def test_array_columns_are_upserted_row_by_row(conn: asyncpg.Connection) -> None:
    await upsert_rows(
        conn,
        "t",
        COLUMNS,
        [("a", date(2025, 3, 7), ["PKH", "BPNT"], 1), ("b", date(2025, 3, 7), [], 2)],
        "on conflict do nothing",
    )
    assert await rows(conn) == [
        ("a", date(2025, 3, 7), ["PKH", "BPNT"], 1, "none"),
        ("b", date(2025, 3, 7), [], 2, "none"),
    ]


async def test_a_failing_upsert_writes_nothing(conn: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.NotNullViolationError):
        await upsert_rows(conn, "t", SCALARS, [("a", date(2025, 3, 7), 1), ("b", None, 2)], UPSERT)
    assert await rows(conn) == []


async def test_many_rows_are_updated_by_key_in_one_statement(conn: asyncpg.Connection) -> None:
    await insert_rows(
        conn, "t", COLUMNS, [("a", date(2025, 3, 7), [], 5), ("b", date(2025, 3, 8), [], 7)]
    )
    await conn.execute(
        "create trigger updates after update on t"
        " for each statement execute function count_statement(); truncate statements"
    )
    await update_rows(
        conn,
        "t",
        ("id",),
        ("day", "amount"),
        [("b", date(2025, 4, 1), 3), ("a", date(2025, 4, 2), 1), ("zz", date(2025, 4, 3), 9)],
        "day = v.day, amount = t.amount + v.amount",
    )
    assert await conn.fetchval("select count(*) from statements") == 1
    assert [(r[0], r[1], r[3]) for r in await rows(conn)] == [
        ("a", date(2025, 4, 2), 6),
        ("b", date(2025, 4, 1), 10),
    ]


async def test_a_key_updated_twice_is_refused_before_anything_is_written(
    conn: asyncpg.Connection,
) -> None:
    await insert_rows(conn, "t", COLUMNS, [("a", date(2025, 3, 7), [], 5)])
    with pytest.raises(ValueError, match="given twice"):
        await update_rows(
            conn, "t", ("id",), ("amount",), [("a", 1), ("a", 2)], "amount = t.amount + v.amount"
        )
    assert [r[3] for r in await rows(conn)] == [5]
