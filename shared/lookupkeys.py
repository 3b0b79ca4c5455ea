"""Lookup keys: the HMAC keys of an index of numbers (NIK, No. KK), rotated when a subject is
forgotten, so a forgotten number can no longer be tested against anything left on disk.

An HMAC of a 16-digit number under a key the attacker holds is brute-forced in about 10^9
tries. So the key is random, one per scope (a kabupaten's claims), in a file of the key
directory beside the KEKs (never in PostgreSQL or NATS), and its epoch is in
`<schema>.lookup_state`. Forgetting rotates it: under an exclusive lock, the index is written
again under a fresh key from the live subjects' sealed data, the state switched to the new
epoch in the same transaction, then the old key file overwritten and removed. Whoever
writes the index under the current key holds the shared lock from reading the epoch until
its append is stored, so a rotation never misses a subject being written.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shared.db import DbConn, advisory_key

if TYPE_CHECKING:
    from shared.keys import KeyStore

LOCK_SLOTS = 4
"""Shared locks one process holds at once, each on a pooled connection: at most half of a
service's pool, so what the holders ask of the pool meanwhile always finds a connection."""


def keyed_hmac(key: bytes, kind: str, value: str) -> str:
    """The lookup token of a number under a lookup key."""
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Lookup:
    """A scope's lookup key as of now: `epoch` 0 (and no key) before the first rotation;
    `stale` when a subject was forgotten after the index was last written."""

    scope: str
    epoch: int
    key: bytes | None
    stale: bool = False

    def __repr__(self) -> str:
        return f"Lookup({self.scope!r}, epoch={self.epoch}, stale={self.stale})"

    def hmac(self, kind: str, value: str) -> str:
        if self.key is None:
            raise RuntimeError(f"lookup scope {self.scope} has no key yet: rotate it first")
        return keyed_hmac(self.key, kind, value)


@dataclass
class Rotation:
    """A rotation under way: the index is being written under `new`; `covers` is the log
    position up to which it has read every forget."""

    old: Lookup
    new: Lookup
    conn: DbConn
    covers: int = 0
    skipped: bool = False
    """Set by the block when it finds the rotation was done meanwhile: nothing changes."""


class LookupKeys:
    """The lookup keys of a key store's schema, one per scope."""

    def __init__(self, store: KeyStore) -> None:
        self.store = store
        self._keys: dict[tuple[str, int], bytes] = {}
        self._made = False
        self._slots = asyncio.Semaphore(LOCK_SLOTS)

    async def _ready(self) -> str:
        """The store's id (in the key files' names); the state table made once."""
        state = await self.store.ready()
        if not self._made:
            s = self.store.schema
            async with self.store.pool.acquire() as conn, conn.transaction():
                await conn.execute("select pg_advisory_xact_lock($1)", advisory_key("keys", s))
                await conn.execute(
                    f"create table if not exists {s}.lookup_state (scope text primary key,"
                    " epoch int not null, covers_seq bigint not null default 0,"
                    " forgot_seq bigint not null default 0)"
                )
            self._made = True
        return state.store_id

    def _path(self, store_id: str, scope: str, epoch: int) -> Path:
        return self.store.key_dir / f"{self.store.schema}-{store_id}-lookup-{scope}-{epoch}.key"

    def _read(self, store_id: str, scope: str, epoch: int) -> bytes | None:
        if epoch == 0:
            return None
        key = self._keys.get((scope, epoch))
        if key is None:
            key = self._keys[scope, epoch] = self._path(store_id, scope, epoch).read_bytes()
        return key

    async def _state(self, conn: DbConn, scope: str) -> tuple[int, bool]:
        row = await conn.fetchrow(
            f"select epoch, forgot_seq > covers_seq as stale from {self.store.schema}.lookup_state"
            " where scope = $1",
            scope,
        )
        return (int(row["epoch"]), bool(row["stale"])) if row else (0, False)

    def _lock(self, scope: str) -> int:
        return advisory_key("lookup", self.store.schema, scope)

    @contextlib.asynccontextmanager
    async def current(self, scope: str) -> AsyncIterator[Lookup]:
        """The scope's key, under the shared lock until the block ends: no rotation starts
        meanwhile."""
        store_id = await self._ready()
        async with self._slots, self.store.pool.acquire() as conn, conn.transaction():
            await conn.execute("select pg_advisory_xact_lock_shared($1)", self._lock(scope))
            epoch, stale = await self._state(conn, scope)
            yield Lookup(scope, epoch, self._read(store_id, scope, epoch), stale)

    @contextlib.asynccontextmanager
    async def rotating(self, scope: str) -> AsyncIterator[Rotation]:
        """A fresh key for the scope, under the exclusive lock: the block writes the index
        under `rotation.new`; when it ends the state switches to it and the old key file is
        destroyed (should the block fail, the new key is destroyed instead)."""
        store_id = await self._ready()
        async with self.store.pool.acquire() as conn, conn.transaction():
            await conn.execute("select pg_advisory_xact_lock($1)", self._lock(scope))
            epoch, stale = await self._state(conn, scope)
            old = Lookup(scope, epoch, self._read(store_id, scope, epoch), stale)
            new = Lookup(scope, epoch + 1, self._write(store_id, scope, epoch + 1))
            rotation = Rotation(old, new, conn)
            try:
                yield rotation
                if rotation.skipped:
                    self._destroy(store_id, scope, new.epoch)
                    return
                await conn.execute(
                    f"insert into {self.store.schema}.lookup_state(scope, epoch, covers_seq)"
                    " values ($1, $2, $3) on conflict (scope) do update set epoch ="
                    " excluded.epoch, covers_seq = greatest(lookup_state.covers_seq,"
                    " excluded.covers_seq)",
                    scope,
                    new.epoch,
                    rotation.covers,
                )
            except BaseException:
                self._destroy(store_id, scope, new.epoch)
                raise
        self._sweep(store_id, scope, new.epoch)

    def _write(self, store_id: str, scope: str, epoch: int) -> bytes:
        key = os.urandom(32)
        self.store.key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._path(store_id, scope, epoch)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, key)
            os.fsync(fd)
        finally:
            os.close(fd)
        self._keys[scope, epoch] = key
        return key

    def _destroy(self, store_id: str, scope: str, epoch: int) -> None:
        self._keys.pop((scope, epoch), None)
        self.store.destroy_file(self._path(store_id, scope, epoch))

    def _sweep(self, store_id: str, scope: str, current: int) -> None:
        """Destroy every key file of the scope but the current epoch's."""
        keep = self._path(store_id, scope, current)
        pattern = f"{self.store.schema}-{store_id}-lookup-{scope}-*.key"
        for path in self.store.key_dir.glob(pattern):
            if path != keep:
                self._keys.pop((scope, int(path.stem.rsplit("-", 1)[1])), None)
                self.store.destroy_file(path)

    async def forgotten(self, conn: DbConn, scope: str, seq: int) -> None:
        """A subject of the scope was forgotten at log position `seq` (a projection's
        transaction says so): the index is stale until a rotation has read that far."""
        found = await conn.fetchval("select to_regclass($1)", f"{self.store.schema}.lookup_state")
        if found is not None:
            await conn.execute(
                f"update {self.store.schema}.lookup_state set forgot_seq ="
                " greatest(forgot_seq, $2) where scope = $1",
                scope,
                seq,
            )
