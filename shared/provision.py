"""Creating streams is the admin's act: a kabupaten's log and a service's buckets.

A service's own credentials may not create, update or delete a stream. So whoever holds the
admin credential creates what a service needs before it needs it: `smart up` and the tests
(the runtime, at start-up for the served kabupaten and before the first command for any
other), a deployment's `smart provision` job (deploy/README.md). Created once; a stream
that exists is left as it is."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import nats
from faststream import BaseMiddleware
from faststream.message import StreamMessage
from nats.aio.client import Client as NATS

from shared.config import Settings
from shared.edge.rpc import RPC_ROOT
from shared.log.eventstore import EventStore
from shared.log.kv import Bucket
from shared.tenancy import InvalidRegionCode

log = logging.getLogger("smart.provision")
BucketsOf = Callable[[str], Sequence[Bucket]]


class Provisioner:
    """On the admin's own connection (opened when first needed): each kabupaten's stream
    and the buckets `buckets` names for it, each created once."""

    def __init__(self, admin: Settings, buckets: BucketsOf = lambda _kab: ()) -> None:
        self.admin = admin
        self.buckets = buckets
        self._nc: NATS | None = None
        self._done: set[str] = set()
        self._lock = asyncio.Lock()

    async def _connection(self) -> NATS:
        if self._nc is None or self._nc.is_closed:
            self._nc = await nats.connect(
                servers=self.admin.nats_servers(), name="smart-provision", max_reconnect_attempts=-1
            )
        return self._nc

    async def kabupaten(self, kab: str) -> None:
        """The kabupaten's log and buckets exist once this returns."""
        if kab in self._done:
            return
        async with self._lock:
            if kab in self._done:
                return
            nc = await self._connection()
            store = EventStore(
                nc,
                replicas=self.admin.stream_replicas,
                duplicate_window_s=self.admin.duplicate_window_s,
            )
            await store.ensure_stream(kab)
            for bucket in self.buckets(kab):
                await bucket.provision(nc.jetstream(), self.admin.stream_replicas)
            self._done.add(kab)

    async def all_of(self, kabupaten: Iterable[str]) -> None:
        for kab in kabupaten:
            await self.kabupaten(kab)

    async def buckets_of(self, buckets: Sequence[Bucket]) -> None:
        """Buckets of no kabupaten (the gateway's)."""
        nc = await self._connection()
        for bucket in buckets:
            await bucket.provision(nc.jetstream(), self.admin.stream_replicas)

    async def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            await self._nc.close()
        self._nc = None

    def before(self, commands: frozenset[str]) -> Callable[..., BaseMiddleware]:
        """A faststream middleware provisioning the kabupaten of each of these commands
        (`smartrpc.<kab>.<service>.<command>`) before it is handled: a query of a
        kabupaten that has no log yet makes none."""
        provisioner = self

        class Provisioning(BaseMiddleware):
            async def consume_scope(
                self, call_next: Callable[[Any], Awaitable[Any]], msg: StreamMessage[Any]
            ) -> Any:
                parts = str(getattr(msg.raw_message, "subject", "")).split(".")
                if len(parts) == 4 and parts[0] == RPC_ROOT and parts[3] in commands:
                    try:
                        await provisioner.kabupaten(parts[1])
                    except InvalidRegionCode:
                        pass  # the command itself answers 422 for its code
                    except Exception:  # the command then fails as it would, and says so
                        log.exception("could not provision kabupaten %s", parts[1])
                return await call_next(msg)

        return Provisioning
