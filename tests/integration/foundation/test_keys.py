"""The data keys on a real PostgreSQL: made once, shredded by rotating the epoch, and the
command runner sealing inside the append (no key for a refusal)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.crypto import derive, open_text
from shared.errors import InvalidInput
from shared.events.base import Clear, DomainEvent, Sealed
from shared.keys import KeyShredded, KeyStore, Sealer
from shared.log.aggregate import AggregateType, CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.tenancy import AggregateRef, Tenant

pytestmark = pytest.mark.integration

SECRET = "test-secret"


class NotePersonal(DomainEvent):
    """Test contract: a note about someone, sealed under the note's key. v1."""

    note_id: str
    text: Sealed

    def sealing_key(self, ref: AggregateRef) -> str:
        return f"note:{self.note_id}"


class NoteForgotten(DomainEvent):
    """Test contract: the note's subject asked to be forgotten. v1."""

    note_id: str

    def forgets_key(self, ref: AggregateRef) -> str | None:
        return f"note:{self.note_id}"


NOTES = AggregateType[int]("notes", "note", lambda: 0, lambda n, e: n + 1)


def store(pool: asyncpg.Pool, tmp_path: Path, schema: str | None = None) -> KeyStore:
    return KeyStore(pool, schema or f"keys_{uuid.uuid4().hex[:10]}", SECRET, tmp_path / "keys")


def kek_files(keys: KeyStore) -> list[str]:
    return sorted(p.name for p in keys.key_dir.glob(f"{keys.schema}-*.kek"))


async def test_a_key_is_made_once_and_shredding_rotates_every_other_key(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    keys = store(pool, tmp_path)
    made, new = await keys.create(["a", "b", "c"])
    assert sorted(new) == ["a", "b", "c"]
    again, none = await keys.create(["a", "b"])
    assert (again, none) == ({"a": made["a"], "b": made["b"]}, [])
    [before] = kek_files(keys)
    assert oct(os.stat(keys.key_dir / before).st_mode & 0o777) == "0o600"

    assert await keys.shred("b") is True
    [after] = kek_files(keys)
    assert after != before, "the old KEK file is destroyed, a new one holds the epoch"
    assert await keys.existing("b") is None
    assert await keys.existing("a") == made["a"]
    assert await keys.existing("c") == made["c"]
    with pytest.raises(KeyShredded):
        await keys.create(["b"])
    assert await keys.shred("b") is False, "a second forget does nothing"
    assert kek_files(keys) == [after]
    epochs = await pool.fetch(f"select distinct epoch from {keys.schema}.data_keys")
    assert [r["epoch"] for r in epochs] == [2]


async def test_another_process_follows_a_rotation_it_did_not_make(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    one = store(pool, tmp_path)
    other = KeyStore(pool, one.schema, SECRET, one.key_dir)
    made, _ = await one.create(["a", "x"])
    assert await other.existing("a") == made["a"]  # `other` now holds epoch 1
    await one.shred("x")
    fresh, new = await other.create(["n"])
    assert new == ["n"]
    assert await one.existing("n") == fresh["n"]
    async with pool.acquire() as conn:
        assert await other.opened(conn, ["a", "x", "n"]) == {"a": made["a"], "n": fresh["n"]}


async def test_keys_wrapped_by_the_secret_move_to_a_random_kek_on_first_start(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    schema = f"keys_{uuid.uuid4().hex[:10]}"
    legacy, key = AESGCM(derive(SECRET, b"key-wrapping")), os.urandom(32)
    nonce = os.urandom(12)
    await pool.execute(
        f"create schema {schema}; create table {schema}.data_keys (key_id text primary key,"
        " wrapped bytea, created_at timestamptz not null default now(), shredded_at timestamptz)"
    )
    await pool.execute(
        f"insert into {schema}.data_keys(key_id, wrapped) values ('old', $1)",
        nonce + legacy.encrypt(nonce, key, b"old"),
    )
    keys = store(pool, tmp_path, schema)
    assert await keys.existing("old") == key
    row = await pool.fetchrow(f"select wrapped, epoch from {schema}.data_keys")
    assert row is not None
    assert row["epoch"] == 1
    with pytest.raises(InvalidTag):  # no longer opens with the secret's key
        legacy.decrypt(row["wrapped"][:12], row["wrapped"][12:], b"old")


async def test_a_key_a_projection_dropped_is_rotated_away_at_the_next_start(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    keys = store(pool, tmp_path)
    made, _ = await keys.create(["gone", "kept"])
    [first] = kek_files(keys)
    async with pool.acquire() as conn:
        await keys.forgotten(conn, ["gone"])
    restarted = KeyStore(pool, keys.schema, SECRET, keys.key_dir)
    assert await restarted.existing("gone") is None
    assert await restarted.existing("kept") == made["kept"]
    assert kek_files(restarted) != [first]


async def test_the_runner_seals_before_the_append_and_makes_no_key_for_a_refusal(
    nc, pool: asyncpg.Pool, tmp_path: Path, kab: str
) -> None:
    keys = store(pool, tmp_path)
    runner = CommandRunner(EventStore(nc), sealer=Sealer(keys))
    ref = AggregateRef(Tenant(kab, f"{kab}01"), "notes", "note", "n1")

    def meta() -> Metadata:
        cid = str(uuid.uuid4())
        return Metadata(command_id=cid, correlation_id=cid, actor="t")

    def refuse(_: int) -> list[DomainEvent]:
        raise InvalidInput("text", "ditolak", "refused")

    with pytest.raises(InvalidInput):
        await runner.execute(NOTES, ref, meta(), refuse)
    table = await pool.fetchval("select to_regclass($1)", f"{keys.schema}.data_keys")
    assert table is None, "nothing made, not even the lazy key store's tables"

    out = await runner.execute(
        NOTES, ref, meta(), lambda _: [NotePersonal(note_id="n1", text=Clear("Siti Aminah"))]
    )
    [stored] = out.events
    assert b"Siti" not in stored.data
    event = stored.event
    assert isinstance(event, NotePersonal)
    key = await keys.existing("note:n1")
    assert key is not None
    assert open_text(key, event.text, "note:n1") == "Siti Aminah"

    await runner.execute(NOTES, ref, meta(), lambda _: [NoteForgotten(note_id="n1")])
    assert await keys.existing("note:n1") is None, "the runner shreds once the event is stored"
