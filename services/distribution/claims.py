"""Kabupaten-wide uniqueness of No. KK and every NIK: atomic claims in NATS KV, keyed by HMACs
under the kabupaten's rotating lookup key (shared/lookupkeys.py).

The bucket maps `<epoch>.kk.<hmac>` / `<epoch>.nik.<hmac>` to the household holding the
number, under the lookup key of that epoch. It is an index of the log, never the truth: a
rotation writes it again under a fresh key from the live households' sealed data (opened
with their data keys), then the old key is destroyed and the old entries purged. A rotation
runs when the bucket is new, after a household is forgotten, and whenever the index is not
known to be complete for the current key."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass
from enum import Enum
from typing import Protocol

from nats.aio.client import Client
from nats.js.errors import (
    BadRequestError,
    KeyNotFoundError,
    KeyWrongLastSequenceError,
    NoKeysError,
)
from nats.js.kv import KeyValue

from services.distribution.personal import Personal
from services.distribution.refusals import DistributionError
from shared.db import DbConn
from shared.events.distribution import SERVICE
from shared.log.kv import Bucket
from shared.lookupkeys import Lookup, Rotation

STALE_AFTER_S = 10.0
POLL_S = 0.05
INDEXED = "_indexed"
"""The epoch whose index is complete in the bucket."""
WRITE_AT_ONCE = 256


def claims_bucket(kab: str) -> Bucket:
    """The kabupaten's claims: one history entry per number, on disk."""
    return Bucket(f"{SERVICE}_claims_{kab}")


class Holder(Enum):
    LIVE = "live"
    GONE = "gone"
    ABSENT = "absent"


@dataclass(frozen=True)
class Claim:
    household_id: str
    kec: str
    at: float

    def encode(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def decode(cls, raw: bytes | None) -> Claim:
        return cls(**json.loads(raw or b"{}"))


HolderCheck = Callable[[str, Claim], Awaitable[Holder]]
LiveHouseholds = dict[str, tuple[str, Personal]]
"""household_id -> (its kecamatan, its personal data)."""
LiveIndex = Callable[[str, DbConn], Awaitable[tuple[LiveHouseholds, int]]]
"""A kabupaten's live households read from the log, and the log position read up to."""


class LookupSource(Protocol):
    """The lookup keys (shared.lookupkeys.LookupKeys, or a fake in unit tests)."""

    def current(self, scope: str) -> contextlib.AbstractAsyncContextManager[Lookup]: ...

    def rotating(self, scope: str) -> contextlib.AbstractAsyncContextManager[Rotation]: ...


KINDS = {"no_kk": "kk", "nik": "nik"}


def claim_keys(lookup: Lookup, personal: Personal) -> dict[str, str]:
    """The household's claim keys under `lookup`, each with the field it is refused under."""
    found = {f"{lookup.epoch}.kk.{lookup.hmac('no_kk', personal.no_kk)}": "no_kk"}
    for i, nik in enumerate(personal.niks()):
        found.setdefault(f"{lookup.epoch}.nik.{lookup.hmac('nik', nik)}", "members" if i else "nik")
    return found


@dataclass(frozen=True)
class Held:
    """A kabupaten's claims under its current lookup key, while no rotation can start."""

    claims: Claims
    kab: str
    kv: KeyValue
    lookup: Lookup

    def keys(self, personal: Personal) -> dict[str, str]:
        return claim_keys(self.lookup, personal)

    async def claim(self, kec: str, household_id: str, keys: dict[str, str]) -> None:
        await self.claims.claim(self.kab, kec, household_id, keys, self.kv)

    async def release(self, household_id: str, keys: Sequence[str]) -> None:
        await self.claims.release(self.kab, household_id, keys, self.kv)


class Claims:
    """Claims and releases numbers for households, one bucket per kabupaten. A claim whose
    household never reached the log (a crash before the append) goes stale and can be taken
    over, and so can a claim of a forgotten household."""

    def __init__(
        self,
        nc: Client,
        holder: HolderCheck,
        lookups: LookupSource,
        live: LiveIndex,
        replicas: int = 1,
    ) -> None:
        self.nc, self.js = nc, nc.jetstream()
        self.holder, self.lookups, self.live = holder, lookups, live
        self.replicas = replicas
        self._buckets: dict[str, KeyValue] = {}
        self._indexed: dict[str, int] = {}
        self._rotating: dict[str, asyncio.Lock] = {}

    async def bucket(self, kab: str) -> KeyValue:
        kv = self._buckets.get(kab)
        if kv is None:
            kv = self._buckets[kab] = await claims_bucket(kab).open(self.js, self.replicas)
        return kv

    @contextlib.asynccontextmanager
    async def holding(self, kab: str) -> AsyncIterator[Held]:
        """The claims under the current lookup key, for a claim and the append it guards:
        rotated first when the index is not complete for that key."""
        kv = await self.bucket(kab)
        for _ in range(3):
            async with self.lookups.current(kab) as lookup:
                if lookup.epoch and not lookup.stale and await self._complete(kab, kv, lookup):
                    yield Held(self, kab, kv, lookup)
                    return
            await self.rotate(kab, unless_past=lookup.epoch)
        raise RuntimeError(f"the claims of {kab} could not be indexed")

    async def _complete(self, kab: str, kv: KeyValue, lookup: Lookup) -> bool:
        if self._indexed.get(kab) == lookup.epoch:
            return True
        try:
            marker = (await kv.get(INDEXED)).value or b""
        except KeyNotFoundError:
            return False
        if marker.decode() != str(lookup.epoch):
            return False
        self._indexed[kab] = lookup.epoch
        return True

    async def rotate(self, kab: str, unless_past: int | None = None) -> None:
        """A fresh lookup key for the kabupaten, the index written again under it from the
        live households; then the old key destroyed and every older entry purged. With
        `unless_past`, nothing is done if the key was rotated past that epoch meanwhile
        (another request found the index incomplete too). One rotation at a time per
        process waits for the lock: the others wait here, off the pool."""
        kv = await self.bucket(kab)
        async with (
            self._rotating.setdefault(kab, asyncio.Lock()),
            self.lookups.rotating(kab) as rotation,
        ):
            old = rotation.old
            if unless_past is not None and old.epoch > unless_past and not old.stale:
                rotation.skipped = await self._complete(kab, kv, old)
                if rotation.skipped:
                    return
            live, covers = await self.live(kab, rotation.conn)
            new = rotation.new
            await self._purge(kv, keep=None, only=f"{new.epoch}.")  # a rotation cut short
            await self._write(kv, new, live)
            await kv.put(INDEXED, str(new.epoch).encode())
            rotation.covers = covers
        self._indexed[kab] = new.epoch
        await self._purge(kv, keep=f"{new.epoch}.", only=None)

    @staticmethod
    async def _write(kv: KeyValue, lookup: Lookup, live: LiveHouseholds) -> None:
        entries = [
            (key, Claim(household_id, kec, 0.0).encode())
            for household_id, (kec, personal) in sorted(live.items())
            for key in claim_keys(lookup, personal)
        ]
        for i in range(0, len(entries), WRITE_AT_ONCE):
            await asyncio.gather(*(kv.put(k, v) for k, v in entries[i : i + WRITE_AT_ONCE]))

    @staticmethod
    async def _purge(kv: KeyValue, keep: str | None, only: str | None) -> None:
        """Purge the entries of other epochs than `keep`, or of the epoch `only`."""
        try:
            keys = await kv.keys()
        except NoKeysError:
            return
        doomed = [
            k
            for k in keys
            if k != INDEXED
            and (keep is None or not k.startswith(keep))
            and (only is None or k.startswith(only))
        ]
        for i in range(0, len(doomed), WRITE_AT_ONCE):
            await asyncio.gather(*(kv.purge(k) for k in doomed[i : i + WRITE_AT_ONCE]))

    async def claim(
        self, kab: str, kec: str, household_id: str, keys: dict[str, str], kv: KeyValue
    ) -> None:
        """Claim every number for the household, or none: DUPLICATE_HOUSEHOLD names the
        household already holding one, and the field (no_kk, nik or members)."""
        mine = Claim(household_id, kec, time.time())
        done: list[str] = []
        try:
            for key, field in keys.items():
                await self._claim_one(kab, kv, key, field, mine)
                done.append(key)
        except BaseException:
            await self.release(kab, household_id, done, kv)
            raise

    async def _claim_one(self, kab: str, kv: KeyValue, key: str, field: str, mine: Claim) -> None:
        while True:
            if await self._create(kv, key, mine):
                return
            try:
                entry = await kv.get(key)
            except KeyNotFoundError:
                continue
            held = Claim.decode(entry.value)
            if held.household_id == mine.household_id:
                return
            state = await self.holder(kab, held)
            if state is Holder.LIVE:
                raise DistributionError(
                    "DUPLICATE_HOUSEHOLD", field=field, household_id=held.household_id
                )
            if state is Holder.GONE or time.time() - held.at > STALE_AFTER_S:
                if await self._take_over(kv, key, mine, entry.revision):
                    return
                continue
            await asyncio.sleep(POLL_S)

    @staticmethod
    async def _create(kv: KeyValue, key: str, mine: Claim) -> bool:
        try:
            await kv.create(key, mine.encode())
        except KeyWrongLastSequenceError:
            return False
        return True

    @staticmethod
    async def _take_over(kv: KeyValue, key: str, mine: Claim, revision: int | None) -> bool:
        try:
            await kv.update(key, mine.encode(), last=revision)
        except KeyWrongLastSequenceError:
            return False
        return True

    async def release(self, kab: str, household_id: str, keys: Sequence[str], kv: KeyValue) -> None:
        """Drop the household's claims (those it still holds)."""
        for key in keys:
            try:
                entry = await kv.get(key)
            except KeyNotFoundError:
                continue
            if Claim.decode(entry.value).household_id == household_id:
                try:
                    await kv.delete(key, last=entry.revision)
                except BadRequestError:
                    continue
