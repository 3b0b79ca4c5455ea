"""Kabupaten-wide uniqueness of No. KK and NIK: atomic claims of their HMACs in NATS KV."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from enum import Enum

from nats.aio.client import Client
from nats.js.errors import (
    BadRequestError,
    KeyNotFoundError,
    KeyWrongLastSequenceError,
)
from nats.js.kv import KeyValue

from services.distribution.refusals import DistributionError
from shared.events.distribution import SERVICE, HouseholdForgotten, HouseholdRegistered
from shared.log.kv import Bucket
from shared.log.reader import read_pages
from shared.tenancy import stream_name

STALE_AFTER_S = 10.0
POLL_S = 0.05
SEEDED = "_seeded"


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


FIELDS = {"kk": "no_kk", "nik": "nik"}


def claim_keys(no_kk_hmac: str, nik_hmac: str) -> list[str]:
    return [f"kk.{no_kk_hmac}", f"nik.{nik_hmac}"]


class Claims:
    """Claims and releases numbers for households, one bucket per kabupaten.

    The bucket maps `kk.<hmac>` / `nik.<hmac>` to the household holding the number. It is an
    index of the log: seeded from the log when the bucket is created; a claim whose household
    never reached the log (a crash before the append) goes stale and can be taken over, and
    so can a claim of a forgotten household."""

    def __init__(self, nc: Client, holder: HolderCheck, replicas: int = 1) -> None:
        self.nc, self.js = nc, nc.jetstream()
        self.holder = holder
        self.replicas = replicas
        self._buckets: dict[str, KeyValue] = {}

    async def bucket(self, kab: str) -> KeyValue:
        kv = self._buckets.get(kab)
        if kv is not None:
            return kv
        kv = await claims_bucket(kab).open(self.js, self.replicas)
        try:
            await kv.get(SEEDED)
        except KeyNotFoundError:
            await self._seed(kab, kv)
            await kv.put(SEEDED, b"1")
        self._buckets[kab] = kv
        return kv

    async def _seed(self, kab: str, kv: KeyValue) -> None:
        live: dict[str, tuple[str, list[str]]] = {}
        subjects = f"smart.{kab}.*.{SERVICE}.household.*"
        async for page in read_pages(self.nc, stream_name(kab), subjects):
            for stored in page:
                event = stored.event
                if isinstance(event, HouseholdRegistered):
                    keys = claim_keys(event.no_kk_hmac, event.nik_hmac)
                    live[event.household_id] = (stored.envelope.kecamatan, keys)
                elif isinstance(event, HouseholdForgotten):
                    live.pop(event.household_id, None)
        for household_id, (kec, keys) in live.items():
            for key in keys:
                try:
                    await kv.create(key, Claim(household_id, kec, 0.0).encode())
                except KeyWrongLastSequenceError:
                    continue

    async def claim(self, kab: str, kec: str, household_id: str, keys: list[str]) -> None:
        """Claim every number for the household, or none: DUPLICATE_HOUSEHOLD names the
        household already holding one."""
        kv = await self.bucket(kab)
        mine = Claim(household_id, kec, time.time())
        done: list[str] = []
        try:
            for key in keys:
                await self._claim_one(kab, kv, key, mine)
                done.append(key)
        except BaseException:
            await self.release(kab, household_id, done)
            raise

    async def _claim_one(self, kab: str, kv: KeyValue, key: str, mine: Claim) -> None:
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
                    "DUPLICATE_HOUSEHOLD",
                    field=FIELDS[key.split(".", maxsplit=1)[0]],
                    household_id=held.household_id,
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

    async def release(self, kab: str, household_id: str, keys: list[str]) -> None:
        """Drop the household's claims (those it still holds)."""
        kv = await self.bucket(kab)
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
