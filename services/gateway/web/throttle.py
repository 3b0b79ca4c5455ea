"""Sign-in throttling: failed attempts counted per username and per address, then a lockout.

The counters are kept in the NATS key-value bucket `SMART_SIGNIN_FAILURES` (so every gateway
replica sees the same counts, and a restart does not reset them). An entry lives `LOCK_S`
after its last failure. `USER_LIMIT` failures for one username, or `ADDRESS_LIMIT` from one
address (the client's address as uvicorn sees it; behind a local proxy the X-Forwarded-For
one), lock further attempts, the right password included, for `LOCK_S`; while locked, an
attempt is not counted, so the lock ends `LOCK_S` after the failure that set it. Keys are
hashes: neither usernames nor addresses are stored in clear.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass

from nats.js.client import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from shared.log.kv import open_bucket

BUCKET = "SMART_SIGNIN_FAILURES"
USER_LIMIT = 5
ADDRESS_LIMIT = 20
LOCK_S = 15 * 60
_TRIES = 8


@dataclass(frozen=True)
class Count:
    failures: int
    last: float
    revision: int | None


def _key(kind: str, value: str) -> str:
    return f"{kind}.{hashlib.sha256(value.encode()).hexdigest()[:40]}"


class SignInThrottle:
    """Counting failed sign-ins and saying how long a username or an address is locked."""

    def __init__(
        self,
        js: JetStreamContext,
        replicas: int = 1,
        *,
        user_limit: int = USER_LIMIT,
        address_limit: int = ADDRESS_LIMIT,
    ) -> None:
        self.js = js
        self.replicas = replicas
        self.limits = {"u": user_limit, "a": address_limit}
        self._kv: KeyValue | None = None

    async def _bucket(self) -> KeyValue:
        if self._kv is None:
            self._kv = await open_bucket(
                self.js, BUCKET, ttl=LOCK_S, history=1, replicas=self.replicas
            )
        return self._kv

    async def provision(self) -> None:
        """Create the bucket if it is missing: the admin's act (`start_gateway`)."""
        await self._bucket()

    async def _count(self, key: str) -> Count:
        kv = await self._bucket()
        try:
            entry = await kv.get(key)
        except KeyNotFoundError:
            return Count(0, 0.0, None)
        if not entry.value:
            return Count(0, 0.0, entry.revision)
        doc = json.loads(entry.value)
        return Count(int(doc["n"]), float(doc["at"]), entry.revision)

    def _left(self, kind: str, count: Count, now: float) -> int:
        if count.failures < self.limits[kind]:
            return 0
        return max(0, int(count.last + LOCK_S - now) + 1)

    def _keys(self, username: str, address: str) -> dict[str, str]:
        return {"u": _key("u", username.strip().lower()), "a": _key("a", address)}

    async def locked_for(self, username: str, address: str) -> int:
        """Seconds until the username and the address may try again (0: now)."""
        now = time.time()
        waits = [
            self._left(kind, await self._count(key), now)
            for kind, key in self._keys(username, address).items()
        ]
        return max(waits)

    async def failed(self, username: str, address: str) -> None:
        for key in self._keys(username, address).values():
            await self._add_failure(key)

    async def succeeded(self, username: str, address: str) -> None:
        """The right password: the username's count starts again (the address's does not)."""
        kv = await self._bucket()
        await kv.purge(self._keys(username, address)["u"])

    async def _add_failure(self, key: str) -> None:
        kv = await self._bucket()
        for _ in range(_TRIES):
            count = await self._count(key)
            value = json.dumps({"n": count.failures + 1, "at": time.time()}).encode()
            try:
                if count.revision is None:
                    await kv.create(key, value)
                else:
                    await kv.update(key, value, last=count.revision)
            except KeyWrongLastSequenceError:
                continue
            return
