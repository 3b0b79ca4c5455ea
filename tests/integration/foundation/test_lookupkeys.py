"""Lookup keys on a real PostgreSQL: a key per scope in a file, rotated (the old file
destroyed), marked stale by a forget the index has not read yet, a rotation found done
meanwhile leaving nothing behind."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import asyncpg
import pytest

from shared.keys import KeyStore

pytestmark = pytest.mark.integration


def store(pool: asyncpg.Pool, tmp_path: Path) -> KeyStore:
    return KeyStore(pool, f"keys_{uuid.uuid4().hex[:10]}", "test-secret", tmp_path / "keys")


def lookup_files(keys: KeyStore) -> list[Path]:
    return sorted(keys.key_dir.glob(f"{keys.schema}-*-lookup-*.key"))


async def test_a_rotation_makes_a_fresh_key_and_destroys_the_old_one(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    keys = store(pool, tmp_path)
    async with keys.lookups.current("3520") as none:
        assert (none.epoch, none.key) == (0, None)
    async with keys.lookups.rotating("3520") as first:
        first.covers = 10
    [one] = lookup_files(keys)
    async with keys.lookups.current("3520") as now:
        assert (now.epoch, now.key, now.stale) == (1, one.read_bytes(), False)
        token = now.hmac("nik", "3520054101900001")
    async with keys.lookups.rotating("3520") as second:
        assert second.old.key == one.read_bytes()
        second.covers = 12
    [two] = lookup_files(keys)
    assert two != one
    assert not one.exists()
    async with keys.lookups.current("3520") as now:
        assert now.epoch == 2
        assert now.hmac("nik", "3520054101900001") != token
    restarted = KeyStore(pool, keys.schema, "test-secret", keys.key_dir)
    async with restarted.lookups.current("3520") as again:
        assert again.key == two.read_bytes()


async def test_a_forget_past_what_the_index_read_makes_it_stale(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    keys = store(pool, tmp_path)
    async with keys.lookups.rotating("3520") as rotation:
        rotation.covers = 10
    async with pool.acquire() as conn:
        await keys.lookups.forgotten(conn, "3520", 9)
    async with keys.lookups.current("3520") as seen:
        assert not seen.stale
    async with pool.acquire() as conn:
        await keys.lookups.forgotten(conn, "3520", 11)
    async with keys.lookups.current("3520") as seen:
        assert seen.stale
    async with keys.lookups.rotating("3520") as rotation:
        rotation.covers = 11
    async with keys.lookups.current("3520") as seen:
        assert (seen.epoch, seen.stale) == (2, False)


async def test_a_skipped_rotation_changes_nothing_and_leaves_no_file(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    keys = store(pool, tmp_path)
    async with keys.lookups.rotating("3520"):
        pass
    kept = lookup_files(keys)
    async with keys.lookups.rotating("3520") as rotation:
        rotation.skipped = True
    assert lookup_files(keys) == kept
    async with keys.lookups.current("3520") as seen:
        assert seen.epoch == 1


async def test_a_rotation_waits_for_whoever_holds_the_current_key(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    keys = store(pool, tmp_path)
    async with keys.lookups.rotating("3520"):
        pass
    order: list[str] = []

    async def rotate() -> None:
        async with keys.lookups.rotating("3520"):
            order.append("rotated")

    async with keys.lookups.current("3520") as held:
        task = asyncio.create_task(rotate())
        await asyncio.sleep(0.3)
        order.append("held")
        assert held.epoch == 1
    await task
    assert order == ["held", "rotated"]
