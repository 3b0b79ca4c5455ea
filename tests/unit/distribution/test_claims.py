"""Kabupaten-wide uniqueness of No. KK and NIK: the claim rules, on an in-memory bucket."""

from __future__ import annotations

import time
from typing import Any

import pytest
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from services.distribution.claims import Claim, Claims, Holder
from shared.errors import DomainError

pytestmark = pytest.mark.unit

KEYS = ["kk." + "a" * 64, "nik." + "b" * 64]


class MemoryBucket:
    """A KV bucket's compare-and-set semantics, in memory."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[int, bytes]] = {}
        self.revision = 0

    def _set(self, key: str, value: bytes) -> int:
        self.revision += 1
        self.entries[key] = (self.revision, value)
        return self.revision

    async def create(self, key: str, value: bytes) -> int:
        if key in self.entries:
            raise KeyWrongLastSequenceError(description="exists")
        return self._set(key, value)

    async def get(self, key: str) -> KeyValue.Entry:
        if key not in self.entries:
            raise KeyNotFoundError
        revision, value = self.entries[key]
        return KeyValue.Entry("b", key, value, revision, None, None, None)

    async def update(self, key: str, value: bytes, last: int | None = None) -> int:
        if self.entries.get(key, (0, b""))[0] != last:
            raise KeyWrongLastSequenceError(description="moved")
        return self._set(key, value)

    async def delete(self, key: str, last: int | None = None) -> bool:
        if self.entries.get(key, (0, b""))[0] == last:
            del self.entries[key]
        return True

    def holder(self, key: str) -> str:
        return Claim.decode(self.entries[key][1]).household_id


class MemoryClaims(Claims):
    def __init__(self, holders: dict[str, Holder]) -> None:
        async def holder(kab: str, claim: Claim) -> Holder:
            return holders.get(claim.household_id, Holder.ABSENT)

        self.holder = holder
        self.kv = MemoryBucket()

    async def bucket(self, kab: str) -> Any:
        return self.kv


def given(claims: MemoryClaims, key: str, household_id: str, age_s: float = 0.0) -> None:
    claims.kv._set(key, Claim(household_id, "352005", time.time() - age_s).encode())


async def test_free_numbers_are_claimed_for_the_household() -> None:
    claims = MemoryClaims({})
    await claims.claim("3520", "352005", "h1", KEYS)
    assert [claims.kv.holder(k) for k in KEYS] == ["h1", "h1"]


async def test_a_number_held_by_a_live_household_is_refused_naming_it_and_nothing_kept() -> None:
    claims = MemoryClaims({"h0": Holder.LIVE})
    given(claims, KEYS[1], "h0")
    with pytest.raises(DomainError) as caught:
        await claims.claim("3520", "352005", "h1", KEYS)
    error = caught.value
    assert (error.code, error.field, error.extra) == (
        "DUPLICATE_HOUSEHOLD",
        "nik",
        {"household_id": "h0"},
    )
    assert KEYS[0] not in claims.kv.entries


async def test_the_same_household_claiming_again_is_a_retry() -> None:
    claims = MemoryClaims({})
    given(claims, KEYS[0], "h1")
    await claims.claim("3520", "352005", "h1", KEYS)
    assert claims.kv.holder(KEYS[1]) == "h1"


async def test_a_forgotten_households_claim_is_taken_over() -> None:
    claims = MemoryClaims({"h0": Holder.GONE})
    given(claims, KEYS[0], "h0")
    await claims.claim("3520", "352005", "h1", KEYS)
    assert claims.kv.holder(KEYS[0]) == "h1"


async def test_a_claim_left_by_a_crash_before_the_append_goes_stale_and_is_taken_over() -> None:
    claims = MemoryClaims({})
    given(claims, KEYS[0], "h0", age_s=60)
    await claims.claim("3520", "352005", "h1", KEYS)
    assert claims.kv.holder(KEYS[0]) == "h1"


async def test_releasing_drops_only_the_households_own_claims() -> None:
    claims = MemoryClaims({})
    given(claims, KEYS[0], "h1")
    given(claims, KEYS[1], "h2")
    await claims.release("3520", "h1", KEYS)
    assert list(claims.kv.entries) == [KEYS[1]]


async def test_an_in_flight_claim_is_waited_for_and_refused_once_its_household_lands() -> None:
    holders: dict[str, Holder] = {}
    claims = MemoryClaims(holders)
    seen = []

    async def landing(kab: str, claim: Claim) -> Holder:
        seen.append(claim.household_id)
        holders["h0"] = Holder.LIVE
        return Holder.ABSENT if len(seen) == 1 else holders["h0"]

    claims.holder = landing
    given(claims, KEYS[0], "h0")
    with pytest.raises(DomainError) as caught:
        await claims.claim("3520", "352005", "h1", KEYS)
    assert caught.value.extra == {"household_id": "h0"}
    assert seen == ["h0", "h0"]
