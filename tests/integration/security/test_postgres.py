"""PostgreSQL: a SCRAM password for every login; a role per service owning only its schemas."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from shared.infra.credentials import without_user
from tests.integration.security.conftest import Secured

pytestmark = pytest.mark.integration


def fresh(service: str) -> str:
    return f"{service}_{uuid.uuid4().hex[:8]}"


async def owner(conn: asyncpg.Connection, schema: str) -> str:
    return str(
        await conn.fetchval(
            "select nspowner::regrole::text from pg_namespace where nspname = $1", schema
        )
    )


async def test_no_login_without_the_right_password(secured: Secured) -> None:
    base = without_user(secured.endpoints.database_url)
    for url in (
        base.replace("postgresql://", "postgresql://postgres@"),
        base.replace("postgresql://", "postgresql://donations@"),
        secured.pg_url("donations", "wrong"),
        secured.pg_url("smart_operator", "wrong"),
    ):
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(url)
    conn = await asyncpg.connect(secured.pg_url("donations"))
    try:
        assert await conn.fetchval("select current_user") == "donations"
        assert not await conn.fetchval("select rolsuper from pg_roles where rolname = 'donations'")
    finally:
        await conn.close()


async def test_a_service_cannot_read_or_write_another_services_schema(secured: Secured) -> None:
    mine = fresh("donations")
    donations = await asyncpg.connect(secured.pg_url("donations"))
    scheduler = await asyncpg.connect(secured.pg_url("scheduler"))
    try:
        await donations.execute(f"create schema {mine}; create table {mine}.fund (idr bigint)")
        await donations.execute(f"insert into {mine}.fund values (250000)")
        assert await donations.fetchval(f"select idr from {mine}.fund") == 250_000
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await scheduler.fetchval(f"select idr from {mine}.fund")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await scheduler.execute(f"insert into {mine}.fund values (1)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await scheduler.execute(f"drop schema {mine} cascade")
        assert await owner(donations, mine) == "donations"
    finally:
        await donations.close()
        await scheduler.close()


async def test_a_service_may_make_only_schemas_named_after_itself(secured: Secured) -> None:
    scheduler = await asyncpg.connect(secured.pg_url("scheduler"))
    try:
        for name in (fresh("donations"), fresh("t"), "public2"):
            with pytest.raises(asyncpg.RaiseError, match="may only make schemas named scheduler"):
                await scheduler.execute(f"create schema {name}")
        mine = fresh("scheduler")
        await scheduler.execute(f"create schema {mine}")
        with pytest.raises(asyncpg.RaiseError, match="may only make schemas"):
            await scheduler.execute(f"alter schema {mine} rename to {fresh('integrity')}")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await scheduler.execute("create table public.leak (v int)")
    finally:
        await scheduler.close()


async def test_what_the_operator_makes_for_a_service_is_the_services(secured: Secured) -> None:
    """As `smart replay` makes a shadow schema, migrates it and switches it live."""
    shadow = fresh("integrity") + "__shadow"
    operator = await asyncpg.connect(secured.pg_url("smart_operator"))
    integrity = await asyncpg.connect(secured.pg_url("integrity"))
    try:
        await operator.execute(
            f"create schema {shadow}; create table {shadow}.findings (id bigserial primary key)"
        )
        await operator.execute(f"insert into {shadow}.findings default values")
        live = shadow.removesuffix("__shadow")
        await operator.execute(f"alter schema {shadow} rename to {live}")
        assert await owner(operator, live) == "integrity"
        assert (
            await integrity.fetchval(
                "select relowner::regrole::text from pg_class where oid = $1::regclass",
                f"{live}.findings",
            )
            == "integrity"
        )
        await integrity.execute(f"insert into {live}.findings default values")
        assert await integrity.fetchval(f"select count(*) from {live}.findings") == 2
        assert not await operator.fetchval(
            "select rolsuper from pg_roles where rolname = current_user"
        )
    finally:
        await operator.close()
        await integrity.close()
