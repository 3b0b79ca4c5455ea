"""Idempotency-Key: the first answer per kecamatan + method + path + key, kept 7 days.

A write with a key new to the bucket costs one record, written after its answer: which keys
the bucket holds is followed into memory (the keys only, as 64-bit prefixes), so a new key
is known new without asking. A key memory holds (or may: a prefix) is read from the bucket."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from shared.log.kv import open_bucket
from shared.readside.follow import Following, follow

log = logging.getLogger("smart.gateway")
BUCKET = "SMART_IDEMPOTENCY"
KEEP_S = 7 * 86400 + 3600
MAX_FOLLOWED = 1_000_000
"""Past this many keys memory stops answering "new" (a get per write again)."""
_PREFIX = f"$KV.{BUCKET}."
_REMOVED = frozenset({"DEL", "PURGE"})


@dataclass(frozen=True)
class Remembered:
    body_hash: str
    status: int
    content: Any


def scope_key(kec: str, method: str, path: str, key: str) -> str:
    return hashlib.sha256(f"{kec}\n{method}\n{path}\n{key}".encode()).hexdigest()


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _short(scope: str) -> int:
    return int(scope[:16], 16)


class IdempotencyStore:
    """Answers kept in a JetStream key-value bucket (a cache of answers, not of facts)."""

    def __init__(self, js: JetStreamContext, replicas: int = 1, *, follow_keys: bool = True):
        self.js = js
        self.replicas = replicas
        self.follow_keys = follow_keys
        self._kv: KeyValue | None = None
        self._opening = asyncio.Lock()
        self._keys: set[int] = set()
        self._overflowed = False
        self._following: Following | None = None
        self._starting: asyncio.Task[None] | None = None

    async def provision(self) -> None:
        """Create the bucket if it is missing: the admin's act (`start_gateway`)."""
        await self._open()

    async def _open(self) -> KeyValue:
        return await open_bucket(self.js, BUCKET, ttl=KEEP_S, history=1, replicas=self.replicas)

    async def _bucket(self) -> KeyValue:
        if self._kv is None:
            async with self._opening:
                if self._kv is None:
                    kv = await self._open()
                    if self.follow_keys:  # in the background: until it is ready, gets
                        self._starting = asyncio.create_task(self._follow())
                    self._kv = kv
        return self._kv

    async def _follow(self) -> None:
        """Keep the bucket's keys in memory (their last record each, headers only)."""

        def absorb(msg: Msg) -> None:
            short = _short(msg.subject[len(_PREFIX) :])
            if (msg.headers or {}).get("KV-Operation") in _REMOVED:
                self._keys.discard(short)
            elif len(self._keys) < MAX_FOLLOWED:
                self._keys.add(short)
            else:
                self._overflowed = True

        try:
            self._following = await follow(
                self.js,
                f"KV_{BUCKET}",
                [f"{_PREFIX}>"],
                absorb,
                deliver_policy=DeliverPolicy.LAST_PER_SUBJECT,
                headers_only=True,
            )
        except Exception as exc:  # e.g. credentials that may not create a consumer
            log.warning("idempotency keys not followed (%r): each write asks the bucket", exc)

    def known_new(self, scope: str) -> bool:
        """Is the key surely not in the bucket (as far as the followed records go)?"""
        ready = self._following is not None and self._following.ready and not self._overflowed
        return ready and _short(scope) not in self._keys

    async def recall(self, scope: str) -> Remembered | None:
        """The first answer kept for the key, if any (no I/O for a key known new)."""
        kv = await self._bucket()
        return None if self.known_new(scope) else await self._read(kv, scope)

    async def _read(self, kv: KeyValue, scope: str) -> Remembered | None:
        try:
            entry = await kv.get(scope)
        except KeyNotFoundError:
            return None
        if entry.value is None:
            return None
        doc = json.loads(entry.value)
        return Remembered(doc["body_hash"], doc["status"], doc["content"])

    async def remember(self, scope: str, answer: Remembered) -> Remembered:
        """Keep the answer unless another request kept one first; return the kept one."""
        kv = await self._bucket()
        doc = {"body_hash": answer.body_hash, "status": answer.status, "content": answer.content}
        try:
            await kv.create(scope, json.dumps(doc).encode())
        except KeyWrongLastSequenceError:
            kept = await self._read(kv, scope)
            return kept or answer
        self._keys.add(_short(scope))
        return answer

    async def close(self) -> None:
        if self._starting is not None:
            self._starting.cancel()
            await asyncio.gather(self._starting, return_exceptions=True)
        if self._following is not None:
            await self._following.stop()
