"""The idempotency bucket as gateway replicas share it: a key new to every replica is known
new from memory, a key one replica keeps is followed into the others, and the first answer
kept wins whatever memory says."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from nats.aio.client import Client as NATS

from services.gateway.idempotency import IdempotencyStore, Remembered, scope_key

pytestmark = pytest.mark.integration


async def until_known(store: IdempotencyStore, scope: str) -> None:
    for _ in range(500):
        if not store.known_new(scope):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the key never reached the store's memory")


async def opened(nc: NATS) -> IdempotencyStore:
    """A store following the bucket (which it does in the background once opened)."""
    store = IdempotencyStore(nc.jetstream())
    unused = scope_key("000000", "POST", "/warm", uuid.uuid4().hex)
    await store.recall(unused)
    for _ in range(500):
        if store.known_new(unused):
            return store
        await asyncio.sleep(0.01)
    raise AssertionError("the store never followed the bucket")


async def test_keys_kept_by_one_replica_are_followed_by_the_others(nc: NATS) -> None:
    one, two = await opened(nc), await opened(nc)
    scope = scope_key("352001", "POST", "/api/v1/3520/352001/donations", uuid.uuid4().hex)
    assert one.known_new(scope)
    assert two.known_new(scope)
    assert await two.recall(scope) is None
    first = Remembered("hash-1", 201, {"donation_id": "d1", "position": 7})
    assert await one.remember(scope, first) == first
    assert not one.known_new(scope)
    await until_known(two, scope)
    assert await two.recall(scope) == first
    later = await opened(nc)
    await until_known(later, scope)
    assert await later.recall(scope) == first
    for store in (one, two, later):
        await store.close()


async def test_the_first_answer_kept_wins_whatever_memory_says(nc: NATS) -> None:
    one, two = await opened(nc), await opened(nc)
    scope = scope_key("352001", "POST", "/api/v1/3520/352001/procurements", uuid.uuid4().hex)
    refused = Remembered("hash-1", 409, {"error": {"code": "INSUFFICIENT_FUNDS"}})
    assert await one.remember(scope, refused) == refused
    passed = Remembered("hash-1", 201, {"procurement_id": "p1"})
    assert await two.remember(scope, passed) == refused
    for store in (one, two):
        await store.close()
