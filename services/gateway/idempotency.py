"""Idempotency-Key: the first answer per kecamatan + method + path + key, kept 7 days."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from nats.js.client import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from shared.kv import open_bucket

BUCKET = "SMART_IDEMPOTENCY"
KEEP_S = 7 * 86400 + 3600


@dataclass(frozen=True)
class Remembered:
    body_hash: str
    status: int
    content: Any


def scope_key(kec: str, method: str, path: str, key: str) -> str:
    return hashlib.sha256(f"{kec}\n{method}\n{path}\n{key}".encode()).hexdigest()


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class IdempotencyStore:
    """Answers kept in a JetStream key-value bucket (a cache of answers, not of facts)."""

    def __init__(self, js: JetStreamContext, replicas: int = 1) -> None:
        self.js = js
        self.replicas = replicas
        self._kv: KeyValue | None = None

    async def _bucket(self) -> KeyValue:
        if self._kv is None:
            self._kv = await open_bucket(
                self.js, BUCKET, ttl=KEEP_S, history=1, replicas=self.replicas
            )
        return self._kv

    async def recall(self, scope: str) -> Remembered | None:
        kv = await self._bucket()
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
            kept = await self.recall(scope)
            return kept or answer
        return answer
