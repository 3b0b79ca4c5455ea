"""Data keys per subject (crypto-shredding) that forensics cannot bring back.

Each subject with personal data (a household, a donation's donor, a finding's free text)
has its own random data key. The data key is stored in PostgreSQL wrapped by a
key-encryption key (KEK) of the current *epoch*; the KEK itself is a random key in a file
of the key directory, never in PostgreSQL or NATS. Forgetting a subject rotates the epoch:
in one transaction every other live data key is re-wrapped under a fresh KEK and the
subject's is dropped; then the old KEK file is overwritten and removed. A wrapped key left
behind in a dead tuple, the WAL or a backup was wrapped by a KEK that no longer exists, so
nothing in the data directory, with every key it still holds, opens it again.

`KeyStore` is lazy: its tables are made on first use, once per process. `Sealer` is what
the command runner uses to seal an event's personal fields right before the append.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.crypto import derive, seal_text
from shared.db import DbConn, advisory_key, ident
from shared.events.base import Clear, DomainEvent
from shared.lookupkeys import LookupKeys
from shared.tenancy import AggregateRef

log = logging.getLogger("smart.keys")

LEGACY_EPOCH = 0
"""Data keys wrapped before epochs existed: by a key derived from the deployment secret,
which cannot be destroyed, so they are moved to a random KEK on first start."""
PENDING_EPOCH = -1
"""A key dropped by a projection (the runner's own destruction was cut short by a crash):
unreadable at once, and gone for good with the next rotation, made at the next start."""


class KeyShredded(LookupError):
    """The subject's data key was deleted: its personal data can no longer be read."""


class KeyEpochGone(RuntimeError):
    """A key was read under an epoch whose KEK was destroyed meanwhile: read it again."""


@dataclass(frozen=True)
class _State:
    store_id: str
    epoch: int


class KeyStore:
    """Data keys in `<schema>.data_keys`, wrapped by the KEK of `<schema>.key_state`'s epoch,
    whose key lives in `<key_dir>/<schema>-<store_id>-<epoch>.kek`."""

    def __init__(self, pool: asyncpg.Pool | None, schema: str, secret: str, key_dir: Path) -> None:
        self._pool = pool
        self.schema = ident(schema)
        self.key_dir = key_dir
        self._legacy = AESGCM(derive(secret, b"key-wrapping"))
        self._keks: dict[int, AESGCM] = {}
        self._state: _State | None = None
        self._ready = asyncio.Lock()
        self.lookups = LookupKeys(self)
        """The rotating keys of this store's lookup HMACs (shared/lookupkeys.py)."""

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"{self.schema}: this key store only opens keys on a connection")
        return self._pool

    # -- set-up -------------------------------------------------------------------------

    async def ready(self) -> _State:
        """Make the tables (once per process) and the first random KEK; move keys of the
        legacy epoch onto it; remove KEK files this store no longer uses."""
        if self._state is not None:
            return self._state
        async with self._ready:
            if self._state is None:
                await self._migrate()
                state = await self._read_state()
                pending = await self.pool.fetchval(
                    f"select exists (select 1 from {self.schema}.data_keys where epoch = $1)",
                    PENDING_EPOCH,
                )
                if state.epoch == LEGACY_EPOCH or pending:
                    state = await self._rotate(forget=None)
                self._sweep(state)
                self._state = state
        return self._state

    async def _migrate(self) -> None:
        s = self.schema
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("select pg_advisory_xact_lock($1)", advisory_key("keys", s))
            await conn.execute(
                f"create schema if not exists {s};"
                f" create table if not exists {s}.data_keys ("
                " key_id text primary key, wrapped bytea, created_at timestamptz not null"
                " default now(), shredded_at timestamptz);"
                f" alter table {s}.data_keys add column if not exists epoch int not null"
                f" default {LEGACY_EPOCH};"
                f" create table if not exists {s}.key_state ("
                " one bool primary key default true check (one), store_id uuid not null,"
                " epoch int not null)"
            )
            has_keys = await conn.fetchval(
                f"select exists (select 1 from {s}.data_keys where wrapped is not null)"
            )
            if await conn.fetchval(f"select count(*) from {s}.key_state") == 0:
                store_id = str(uuid.uuid4())
                if has_keys:
                    epoch = LEGACY_EPOCH
                else:
                    epoch = 1
                    self._write_kek(_State(store_id, epoch), AESGCM.generate_key(bit_length=256))
                await conn.execute(
                    f"insert into {s}.key_state(store_id, epoch) values ($1, $2)",
                    uuid.UUID(store_id),
                    epoch,
                )

    async def _read_state(self, conn: DbConn | None = None, *, lock: str = "") -> _State:
        sql = f"select store_id, epoch from {self.schema}.key_state {lock}"
        row = await (conn or self.pool).fetchrow(sql)
        if row is None:
            raise RuntimeError(f"{self.schema}.key_state is empty: made by _migrate")
        return _State(str(row["store_id"]), int(row["epoch"]))

    async def _tables(self, conn: DbConn) -> tuple[bool, bool]:
        """Whether `data_keys` and `key_state` exist: no keys before the one; keys of the
        legacy epoch only before the other."""
        found = await conn.fetchrow(
            "select to_regclass($1) is not null as keys, to_regclass($2) is not null as state",
            f"{self.schema}.data_keys",
            f"{self.schema}.key_state",
        )
        return (bool(found["keys"]), bool(found["state"])) if found else (False, False)

    # -- KEK files ----------------------------------------------------------------------

    def _kek_path(self, state: _State) -> Path:
        return self.key_dir / f"{self.schema}-{state.store_id}-{state.epoch}.kek"

    def _write_kek(self, state: _State, key: bytes) -> None:
        self.key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._kek_path(state)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, key)
            os.fsync(fd)
        finally:
            os.close(fd)
        self._fsync_dir()
        self._keks[state.epoch] = AESGCM(key)

    def _fsync_dir(self) -> None:
        fd = os.open(self.key_dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _kek(self, store_id: str, epoch: int) -> AESGCM:
        if epoch == LEGACY_EPOCH:
            return self._legacy
        kek = self._keks.get(epoch)
        if kek is None:
            try:
                key = self._kek_path(_State(store_id, epoch)).read_bytes()
            except FileNotFoundError:
                raise KeyEpochGone(f"{self.schema} epoch {epoch}") from None
            kek = self._keks[epoch] = AESGCM(key)
        return kek

    @staticmethod
    def _destroy(path: Path) -> None:
        """Overwrite the file in place, then remove it."""
        with contextlib.suppress(FileNotFoundError):
            size = path.stat().st_size
            with path.open("r+b") as f:
                f.write(os.urandom(max(size, 32)))
                f.flush()
                os.fsync(f.fileno())
            path.unlink()

    def destroy_file(self, path: Path) -> None:
        """Overwrite a key file of this store, remove it, and make that durable."""
        self._destroy(path)
        if self.key_dir.exists():
            self._fsync_dir()

    def _sweep(self, state: _State) -> None:
        """Destroy every KEK file of this store but the current epoch's: older ones after a
        rotation that stopped before its clean-up, a newer one of a rotation not committed."""
        if not self.key_dir.exists():
            return
        current = self._kek_path(state)
        for path in self.key_dir.glob(f"{self.schema}-{state.store_id}-*.kek"):
            if path != current:
                self._destroy(path)
                self._keks.pop(int(path.stem.rsplit("-", 1)[1]), None)
        self._fsync_dir()

    # -- wrapping -----------------------------------------------------------------------

    @staticmethod
    def _wrap(kek: AESGCM, key_id: str, key: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + kek.encrypt(nonce, key, key_id.encode())

    @staticmethod
    def _unwrap(kek: AESGCM, key_id: str, wrapped: bytes) -> bytes:
        return kek.decrypt(wrapped[:12], wrapped[12:], key_id.encode())

    def _open(self, state: _State, key_id: str, wrapped: bytes, epoch: int) -> bytes:
        try:
            return self._unwrap(self._kek(state.store_id, epoch), key_id, wrapped)
        except InvalidTag:
            raise KeyEpochGone(f"{self.schema} key {key_id} epoch {epoch}") from None

    # -- the keys -----------------------------------------------------------------------

    async def create(self, key_ids: Sequence[str]) -> tuple[dict[str, bytes], list[str]]:
        """The subjects' keys, each made on first use: (keys, the ids made now). Raises
        KeyShredded for a subject that was forgotten."""
        for _ in range(3):
            state = await self.ready()
            kek = self._kek(state.store_id, state.epoch)
            fresh = {k: AESGCM.generate_key(bit_length=256) for k in key_ids}
            rows = await self.pool.fetch(
                f"with st as (select epoch from {self.schema}.key_state for share),"
                f" ins as (insert into {self.schema}.data_keys(key_id, wrapped, epoch)"
                " select k, w, st.epoch from unnest($1::text[], $2::bytea[]) as t(k, w), st"
                " where st.epoch = $3 on conflict (key_id) do nothing returning key_id)"
                f" select d.key_id, d.wrapped, d.epoch, false as made"
                f" from {self.schema}.data_keys d where d.key_id = any($1::text[])"
                " union all select key_id, null, $3, true from ins",
                list(fresh),
                [self._wrap(kek, k, v) for k, v in fresh.items()],
                state.epoch,
            )
            made = [r["key_id"] for r in rows if r["made"]]
            keys = {k: fresh[k] for k in made}
            try:
                for r in rows:
                    if r["made"]:
                        continue
                    if r["wrapped"] is None:
                        raise KeyShredded(r["key_id"])
                    keys[r["key_id"]] = self._open(state, r["key_id"], r["wrapped"], r["epoch"])
            except KeyEpochGone:
                keys = {}
            if len(keys) == len(key_ids):
                return keys, made
            self._state = None  # another process rotated: read the epoch again
        raise KeyEpochGone(f"{self.schema}: the epoch kept changing")

    async def load(self, keys: dict[str, bytes]) -> None:
        """Store many new subjects' keys at once (a generated history, a migration)."""
        state = await self.ready()
        kek = self._kek(state.store_id, state.epoch)
        await self.pool.copy_records_to_table(
            "data_keys",
            schema_name=self.schema,
            records=[(k, self._wrap(kek, k, v), state.epoch) for k, v in keys.items()],
            columns=["key_id", "wrapped", "epoch"],
        )

    async def existing(self, key_id: str) -> bytes | None:
        """The subject's key if it exists and was not shredded."""
        await self.ready()
        async with self.pool.acquire() as conn:
            return (await self.opened(conn, [key_id])).get(key_id)

    async def opened(self, conn: DbConn, ids: Iterable[str]) -> dict[str, bytes]:
        """The live keys of these subjects, read on the caller's connection (a projection's
        transaction). Raises KeyEpochGone if a rotation destroyed the epoch it read: the
        projector then applies the batch again."""
        keys, epochs = await self._tables(conn)
        if not keys:
            return {}
        state = await self._read_state(conn) if epochs else _State("", LEGACY_EPOCH)
        epoch = "epoch" if epochs else f"{LEGACY_EPOCH} as epoch"
        rows = await conn.fetch(
            f"select key_id, wrapped, {epoch} from {self.schema}.data_keys"
            " where key_id = any($1::text[]) and wrapped is not null",
            list(ids),
        )
        return {r["key_id"]: self._open(state, r["key_id"], r["wrapped"], r["epoch"]) for r in rows}

    async def forgotten(self, conn: DbConn, ids: Sequence[str]) -> None:
        """Drop the keys of subjects the log says are forgotten, on the caller's connection:
        the runner destroys a key once the event is stored, so this only acts when a crash
        came between; the next start then rotates the epoch without them."""
        if ids and all(await self._tables(conn)):
            await conn.execute(
                f"update {self.schema}.data_keys set wrapped = null, epoch = $2,"
                " shredded_at = coalesce(shredded_at, now())"
                " where key_id = any($1::text[]) and wrapped is not null",
                list(ids),
                PENDING_EPOCH,
            )

    async def discard(self, key_ids: Sequence[str]) -> None:
        """Remove keys made for an append that did not happen: they sealed nothing stored."""
        if key_ids:
            await self.ready()
            await self.pool.execute(
                f"delete from {self.schema}.data_keys where key_id = any($1::text[])",
                list(key_ids),
            )

    async def shred(self, key_id: str) -> bool:
        """Forget the subject for good: rotate the epoch without its key. False when it was
        forgotten before (nothing done)."""
        await self.ready()
        row = await self.pool.fetchrow(
            f"select wrapped from {self.schema}.data_keys where key_id = $1", key_id
        )
        if row is not None and row["wrapped"] is None:
            return False
        self._state = await self._rotate(forget=key_id)
        return True

    async def _rotate(self, forget: str | None) -> _State:
        """A fresh KEK; every live key but `forget`'s re-wrapped under it, in one
        transaction; then the old KEK destroyed. Writers wait on the state row meanwhile."""
        s = self.schema
        async with self.pool.acquire() as conn, conn.transaction():
            old = await self._read_state(conn, lock="for update")
            new = _State(old.store_id, old.epoch + 1)
            rows = await conn.fetch(
                f"select key_id, wrapped, epoch from {s}.data_keys where wrapped is not null"
            )
            clear = {
                r["key_id"]: self._open(old, r["key_id"], r["wrapped"], r["epoch"])
                for r in rows
                if r["key_id"] != forget
            }
            key = AESGCM.generate_key(bit_length=256)
            self._write_kek(new, key)
            kek = AESGCM(key)
            try:
                await conn.execute(
                    f"update {s}.data_keys d set wrapped = t.w, epoch = $3"
                    " from unnest($1::text[], $2::bytea[]) as t(k, w) where d.key_id = t.k",
                    list(clear),
                    [self._wrap(kek, k, v) for k, v in clear.items()],
                    new.epoch,
                )
                if forget is not None:
                    await conn.execute(
                        f"insert into {s}.data_keys(key_id, wrapped, epoch, shredded_at)"
                        " values ($1, null, $2, now()) on conflict (key_id) do update"
                        " set wrapped = null, epoch = excluded.epoch, shredded_at = coalesce("
                        f"{s}.data_keys.shredded_at, now())",
                        forget,
                        new.epoch,
                    )
                await conn.execute(
                    f"update {s}.data_keys set epoch = $1 where epoch = $2",
                    new.epoch,
                    PENDING_EPOCH,
                )
                await conn.execute(f"update {s}.key_state set epoch = $1", new.epoch)
            except BaseException:
                self._destroy(self._kek_path(new))
                self._keks.pop(new.epoch, None)
                raise
        self._sweep(new)
        log.info("%s: key epoch %d -> %d (%d keys re-wrapped)", s, old.epoch, new.epoch, len(clear))
        return new


# -- sealing inside the append ---------------------------------------------------------


def clear_fields(event: DomainEvent) -> list[str]:
    """The event's personal fields still in clear (marked by `Clear`)."""
    return [name for name, value in event.__dict__.items() if isinstance(value, Clear)]


class Sealer:
    """Seals events' personal fields with their subject's key, right before the append, and
    forgets a subject after the event that says so is stored."""

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys

    async def seal(
        self, ref: AggregateRef, events: Sequence[DomainEvent]
    ) -> tuple[list[DomainEvent], list[str]]:
        """The events with every `Clear` field sealed, and the key ids made for them."""
        marked = [(e, clear_fields(e)) for e in events]
        wanted = sorted({e.sealing_key(ref) for e, names in marked if names})
        if not wanted:
            return list(events), []
        keys, made = await self.keys.create(wanted)
        sealed: list[DomainEvent] = []
        for event, names in marked:
            if not names:
                sealed.append(event)
                continue
            kid = event.sealing_key(ref)
            update: dict[str, Any] = {
                n: seal_text(keys[kid], getattr(event, n), event.sealing_context(ref, n))
                for n in names
            }
            sealed.append(event.model_copy(update=update))
        return sealed, made

    async def forget(self, ref: AggregateRef, events: Iterable[DomainEvent]) -> None:
        for event in events:
            kid = event.forgets_key(ref)
            if kid is not None:
                await self.keys.shred(kid)
