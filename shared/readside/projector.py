"""The live projector: one projection following one kabupaten stream, exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

import asyncpg
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError

from shared.db import DbConn, advisory_key, ident
from shared.log.reader import StoredEvent
from shared.readside.apply import Applied, Applier
from shared.readside.projection import Checkpoints, Projection, ProjectorSettings
from shared.tenancy import stream_name

log = logging.getLogger("smart.projection")
DRAIN_TIMEOUT_S = 0.05


def _raise_if_cancelling() -> None:
    """Python 3.11's wait_for can swallow a cancellation that arrives with a message: a
    projector told to stop must stop, not fetch again."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class Projector:
    """Follows one stream for one projection while this replica holds its lock.

    It reads through a durable pull consumer named `<service>__<projection>`, applies each
    batch with its checkpoint in one transaction (an `Applier`), then acks; events at or
    below the checkpoint are skipped. Only the replica holding the projection's advisory
    lock consumes, and it restarts the consumer from the checkpoint."""

    def __init__(
        self,
        nc: NATS,
        pool: asyncpg.Pool,
        service: str,
        schema: str,
        kab: str,
        projection: Projection,
        settings: ProjectorSettings,
    ) -> None:
        self.nc, self.pool, self.js = nc, pool, nc.jetstream()
        self.service, self.schema, self.kab = service, ident(schema), kab
        self.projection = projection
        self.settings = settings
        self.stream = stream_name(kab)
        self.durable = f"{service}__{projection.name}"

    async def run(self, lock_conn: DbConn, lock_guard: asyncio.Lock) -> None:
        key = advisory_key("projector", self.schema, self.projection.name, self.stream)
        while True:
            async with lock_guard:
                leader = await lock_conn.fetchval("select pg_try_advisory_lock($1)", key)
            if not leader:
                await asyncio.sleep(self.settings.standby_poll_s)
                continue
            try:
                await self._follow()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception(
                    "projector %s on %s stopped; restarting from checkpoint",
                    self.durable,
                    self.stream,
                )
                await asyncio.sleep(1.0)
            finally:
                async with lock_guard:
                    await lock_conn.execute("select pg_advisory_unlock($1)", key)

    async def _reset_consumer(self, after: int) -> None:
        with contextlib.suppress(NotFoundError):
            await self.js.delete_consumer(self.stream, self.durable)
        config = ConsumerConfig(
            durable_name=self.durable,
            ack_policy=AckPolicy.ALL,
            ack_wait=60,
            max_ack_pending=self.settings.batch * 2,
            filter_subjects=self.projection.filters(self.kab),
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE if after else DeliverPolicy.ALL,
            opt_start_seq=after + 1 if after else None,
        )
        await self.js.add_consumer(self.stream, config)

    async def _follow(self) -> None:
        after = await Checkpoints(self.pool, self.schema).position(
            self.projection.name, self.stream
        )
        await self._reset_consumer(after)
        sub = await self.js.pull_subscribe_bind(self.durable, self.stream)
        try:
            pending = True
            while True:
                msgs = await self._next_batch(sub, pending)
                _raise_if_cancelling()
                if msgs:
                    await self.process(msgs)
                    pending = bool(msgs[-1].metadata.num_pending)
        finally:
            await sub.unsubscribe()

    async def _next_batch(self, sub: JetStreamContext.PullSubscription, pending: bool) -> list[Msg]:
        """Up to a batch of what is there when the last event said more were behind it;
        else wait for the next event. (A pull for a batch when nothing is there holds its
        answer until the batch fills or the request expires: an event would wait for that.)"""
        if pending:
            try:
                return await sub.fetch(self.settings.batch, timeout=DRAIN_TIMEOUT_S)
            except TimeoutError:  # nats-py raises both its own and asyncio's
                pass
        try:
            return await sub.fetch(1, timeout=self.settings.fetch_timeout_s)
        except TimeoutError:
            return []

    async def process(self, msgs: list[Msg]) -> None:
        events = [StoredEvent(m.metadata.sequence.stream, m.subject, m.data) for m in msgs]
        await self._commit(events, msgs)
        await msgs[-1].ack()

    async def _commit(self, events: list[StoredEvent], msgs: Sequence[Msg] = ()) -> Applied:
        async def waiting() -> None:
            for msg in msgs:
                await msg.in_progress()

        async with (
            self.pool.acquire() as conn,
            Applier(conn, self.schema, self.settings, waiting) as applier,
        ):
            return await applier.apply(self.projection, self.stream, events)
