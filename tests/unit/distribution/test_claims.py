"""Kabupaten-wide uniqueness of No. KK and NIK: the claim rules, on an in-memory bucket."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any, cast

import pytest
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError, NoKeysError
from nats.js.kv import KeyValue

from services.distribution.claims import INDEXED, Claim, Claims, Holder, LiveHouseholds
from services.distribution.personal import Person, Personal
from shared.errors import DomainError
from shared.lookupkeys import keyed_hmac
from tests.fakes import MemoryLookupKeys

pytestmark = pytest.mark.unit

KEYS = {"1.kk." + "a" * 64: "no_kk", "1.nik." + "b" * 64: "nik"}
FIRST, SECOND = list(KEYS)


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

    async def put(self, key: str, value: bytes) -> int:
        return self._set(key, value)

    async def keys(self) -> list[str]:
        if not self.entries:
            raise NoKeysError
        return list(self.entries)

    async def purge(self, key: str) -> bool:
        self.entries.pop(key, None)
        return True

    def holder(self, key: str) -> str:
        return Claim.decode(self.entries[key][1]).household_id


class MemoryClaims(Claims):
    """Claims over an in-memory bucket and lookup keys; `live` is what the log holds."""

    def __init__(self, holders: dict[str, Holder], live: LiveHouseholds | None = None) -> None:
        async def holder(kab: str, claim: Claim) -> Holder:
            return holders.get(claim.household_id, Holder.ABSENT)

        async def index(kab: str, conn: object) -> tuple[LiveHouseholds, int]:
            return dict(self.households), 7

        self.households: LiveHouseholds = live or {}
        self.lookup_keys = MemoryLookupKeys()
        super().__init__(cast(Any, FakeNats()), holder, self.lookup_keys, index)
        self.kv = MemoryBucket()

    async def bucket(self, kab: str) -> Any:
        return self.kv

    async def claim(
        self, kab: str, kec: str, hid: str, keys: dict[str, str], kv: Any = None
    ) -> None:
        await super().claim(kab, kec, hid, keys, cast(Any, kv or self.kv))

    async def release(self, kab: str, hid: str, keys: Sequence[str], kv: Any = None) -> None:
        await super().release(kab, hid, keys, cast(Any, kv or self.kv))


class FakeNats:
    def jetstream(self) -> None:
        return None


def given(claims: MemoryClaims, key: str, household_id: str, age_s: float = 0.0) -> None:
    claims.kv._set(key, Claim(household_id, "352005", time.time() - age_s).encode())


async def test_free_numbers_are_claimed_for_the_household() -> None:
    claims = MemoryClaims({})
    await claims.claim("3520", "352005", "h1", KEYS)
    assert [claims.kv.holder(k) for k in KEYS] == ["h1", "h1"]


async def test_a_number_held_by_a_live_household_is_refused_naming_it_and_nothing_kept() -> None:
    claims = MemoryClaims({"h0": Holder.LIVE})
    given(claims, SECOND, "h0")
    with pytest.raises(DomainError) as caught:
        await claims.claim("3520", "352005", "h1", KEYS)
    error = caught.value
    assert (error.code, error.field, error.extra) == (
        "DUPLICATE_HOUSEHOLD",
        "nik",
        {"household_id": "h0"},
    )
    assert FIRST not in claims.kv.entries


async def test_the_same_household_claiming_again_is_a_retry() -> None:
    claims = MemoryClaims({})
    given(claims, FIRST, "h1")
    await claims.claim("3520", "352005", "h1", KEYS)
    assert claims.kv.holder(SECOND) == "h1"


async def test_a_forgotten_households_claim_is_taken_over() -> None:
    claims = MemoryClaims({"h0": Holder.GONE})
    given(claims, FIRST, "h0")
    await claims.claim("3520", "352005", "h1", KEYS)
    assert claims.kv.holder(FIRST) == "h1"


async def test_a_claim_left_by_a_crash_before_the_append_goes_stale_and_is_taken_over() -> None:
    claims = MemoryClaims({})
    given(claims, FIRST, "h0", age_s=60)
    await claims.claim("3520", "352005", "h1", KEYS)
    assert claims.kv.holder(FIRST) == "h1"


async def test_releasing_drops_only_the_households_own_claims() -> None:
    claims = MemoryClaims({})
    given(claims, FIRST, "h1")
    given(claims, SECOND, "h2")
    await claims.release("3520", "h1", list(KEYS))
    assert list(claims.kv.entries) == [SECOND]


async def test_an_in_flight_claim_is_waited_for_and_refused_once_its_household_lands() -> None:
    holders: dict[str, Holder] = {}
    claims = MemoryClaims(holders)
    seen = []

    async def landing(kab: str, claim: Claim) -> Holder:
        seen.append(claim.household_id)
        holders["h0"] = Holder.LIVE
        return Holder.ABSENT if len(seen) == 1 else holders["h0"]

    claims.holder = landing
    given(claims, FIRST, "h0")
    with pytest.raises(DomainError) as caught:
        await claims.claim("3520", "352005", "h1", KEYS)
    assert caught.value.extra == {"household_id": "h0"}
    assert seen == ["h0", "h0"]


SITI = Personal(
    "3520050101080001",
    "3520054101900001",
    "Siti",
    "Krajan",
    (Person("3520054101900002", "Parmi"),),
)


async def test_the_first_claim_indexes_the_live_households_under_a_fresh_key() -> None:
    claims = MemoryClaims({"h1": Holder.LIVE}, {"h1": ("352005", SITI)})
    async with claims.holding("3520") as held:
        assert held.lookup.epoch == 1
        keys = held.keys(SITI)
    assert list(keys.values()) == ["no_kk", "nik", "members"]
    assert {claims.kv.holder(k) for k in keys} == {"h1"}
    assert claims.kv.entries[INDEXED][1] == b"1"
    key = claims.lookup_keys.epochs["3520"][1]
    assert f"1.nik.{keyed_hmac(key, 'nik', '3520054101900002')}" in claims.kv.entries


async def test_a_members_nik_held_elsewhere_is_refused_under_members() -> None:
    claims = MemoryClaims({"h1": Holder.LIVE}, {"h1": ("352005", SITI)})
    other = Personal("3520050101080009", "3520054101900009", "B", "A", SITI.members)
    async with claims.holding("3520") as held:
        with pytest.raises(DomainError) as caught:
            await held.claim("352005", "h2", held.keys(other))
    assert (caught.value.field, caught.value.extra) == ("members", {"household_id": "h1"})


async def test_a_rotation_writes_the_index_anew_and_purges_every_older_entry() -> None:
    claims = MemoryClaims({}, {"h1": ("352005", SITI)})
    async with claims.holding("3520") as held:
        old = set(held.keys(SITI))
    claims.households = {}  # h1 forgotten
    await claims.rotate("3520")
    assert set(claims.kv.entries) == {INDEXED}
    assert not old & set(claims.kv.entries)
    assert claims.lookup_keys.epochs["3520"][0] == 2


async def test_a_forget_seen_by_the_read_side_makes_the_next_claim_rotate_first() -> None:
    claims = MemoryClaims({}, {"h1": ("352005", SITI)})
    async with claims.holding("3520") as held:
        assert held.lookup.epoch == 1
    await claims.lookup_keys.forgotten(None, "3520", 9)
    async with claims.holding("3520") as held:
        assert held.lookup.epoch == 2


async def test_many_first_claims_at_once_rotate_once() -> None:
    claims = MemoryClaims({}, {"h1": ("352005", SITI)})

    async def first() -> int:
        async with claims.holding("3520") as held:
            return held.lookup.epoch

    assert await asyncio.gather(*(first() for _ in range(8))) == [1] * 8
    assert claims.lookup_keys.epochs["3520"][0] == 1
