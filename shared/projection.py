"""Projectors: read models fed from the log, exactly once, with their checkpoint.

A projector follows one kabupaten stream through a durable pull consumer named
`<service>__<projection>`. Each batch is applied and its checkpoint (the stream sequence)
written in one transaction, then acked; events at or below the checkpoint are skipped, so a
crash anywhere applies nothing twice and loses nothing. Only the replica holding the
projection's advisory lock consumes, and it restarts the consumer from the checkpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import asyncpg
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError

from shared.db import DbConn, advisory_key, ident
from shared.logreader import StoredEvent
from shared.tenancy import stream_name

log = logging.getLogger("smart.projection")
DRAIN_TIMEOUT_S = 0.05


class Projection(Protocol):
    """One read model: which subjects feed it and how a batch of events changes it.

    `apply` runs inside the projector's transaction with `search_path` set to the target
    schema, so it uses unqualified table names; it must not commit or catch errors."""

    name: str
    tables: Sequence[str]

    def filters(self, kab: str) -> list[str]: ...

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None: ...


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS wildcard matching: `*` one token, `>` the rest."""
    ptoks, stoks = pattern.split("."), subject.split(".")
    for i, tok in enumerate(ptoks):
        if tok == ">":
            return len(stoks) > i
        if i >= len(stoks) or (tok != "*" and tok != stoks[i]):
            return False
    return len(ptoks) == len(stoks)


def relevant(projection: Projection, kab: str, events: Sequence[StoredEvent]) -> list[StoredEvent]:
    filters = projection.filters(kab)
    return [e for e in events if any(subject_matches(f, e.subject) for f in filters)]


@dataclass(frozen=True)
class ProjectorSettings:
    batch: int = 500
    max_attempts: int = 5
    retry_delay_s: float = 0.2
    fetch_timeout_s: float = 1.0
    standby_poll_s: float = 2.0


class Checkpoints:
    """The read side's bookkeeping in one schema: checkpoints and dead letters."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.schema = ident(schema)

    async def position(self, projection: str, stream: str) -> int:
        value = await self.pool.fetchval(
            f"select position from {self.schema}.checkpoints where projection=$1 and stream=$2",
            projection,
            stream,
        )
        return int(value or 0)

    async def dead_letters(self, *, open_only: bool = True) -> list[asyncpg.Record]:
        where = "where resolved_at is null" if open_only else ""
        return list(
            await self.pool.fetch(f"select * from {self.schema}.dead_letters {where} order by id")
        )


async def begin_batch(conn: DbConn, schema: str) -> None:
    """Inside a transaction: wait out a schema switch, then write into `schema`."""
    await conn.execute("select pg_advisory_xact_lock_shared($1)", advisory_key("switch", schema))
    await conn.execute(f"set local search_path to {ident(schema)}")


async def save_checkpoint(conn: DbConn, projection: str, stream: str, seq: int) -> None:
    await save_checkpoints(conn, stream, {projection: seq})


async def save_checkpoints(conn: DbConn, stream: str, reached: dict[str, int]) -> None:
    """Each projection's position in one stream, in one statement; a checkpoint never
    moves back."""
    if reached:
        await conn.execute(
            "insert into checkpoints(projection, stream, position)"
            " select name, $2, position from unnest($1::text[], $3::bigint[]) as r(name, position)"
            " on conflict (projection, stream) do update"
            " set position = greatest(checkpoints.position, excluded.position), updated_at = now()",
            list(reached),
            stream,
            list(reached.values()),
        )


async def record_dead_letter(
    conn: DbConn,
    projection: str,
    stream: str,
    event: StoredEvent,
    error: BaseException,
    attempts: int,
) -> None:
    event_type = None
    try:
        event_type = event.envelope.type
    except ValueError:
        event_type = None
    await conn.execute(
        "insert into dead_letters(projection, stream, seq, subject, event_type, error, attempts)"
        " values ($1, $2, $3, $4, $5, $6, $7) on conflict (projection, stream, seq) do update"
        " set error = excluded.error, attempts = excluded.attempts, resolved_at = null",
        projection,
        stream,
        event.seq,
        event.subject,
        event_type,
        f"{type(error).__name__}: {error}"[:2000],
        attempts,
    )
    await save_checkpoint(conn, projection, stream, event.seq)


def _raise_if_cancelling() -> None:
    """Python 3.11's wait_for can swallow a cancellation that arrives with a message: a
    projector told to stop must stop, not fetch again."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class Projector:
    """Follows one stream for one projection while this replica holds its lock."""

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
        self._attempts: dict[int, int] = {}

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
            while True:
                msgs = await self._next_batch(sub)
                _raise_if_cancelling()
                if msgs:
                    await self.process(msgs)
        finally:
            await sub.unsubscribe()

    async def _next_batch(self, sub: JetStreamContext.PullSubscription) -> list[Msg]:
        """What is there now, up to a batch; else wait for the next event. (A pull for a
        whole batch would hold its answer until the batch fills or the request expires.)"""
        try:
            return await sub.fetch(self.settings.batch, timeout=DRAIN_TIMEOUT_S)
        except TimeoutError:  # nats-py raises both its own and asyncio's
            pass
        try:
            return await sub.fetch(1, timeout=self.settings.fetch_timeout_s)
        except TimeoutError:
            return []

    async def process(self, msgs: list[Msg]) -> None:
        items = [(m, StoredEvent(m.metadata.sequence.stream, m.subject, m.data)) for m in msgs]
        while items:
            try:
                await self._commit([e for _, e in items])
            except Exception as exc:
                items = await self._salvage(items, exc)
                continue
            await items[-1][0].ack()
            return

    async def _commit(self, events: list[StoredEvent]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await begin_batch(conn, self.schema)
            done = (
                await conn.fetchval(
                    "select position from checkpoints where projection=$1 and stream=$2 for update",
                    self.projection.name,
                    self.stream,
                )
                or 0
            )
            fresh = [e for e in events if e.seq > done]
            if fresh:
                await self.projection.apply(conn, fresh)
            await save_checkpoint(conn, self.projection.name, self.stream, events[-1].seq)

    async def _salvage(
        self, items: list[tuple[Msg, StoredEvent]], batch_error: Exception
    ) -> list[tuple[Msg, StoredEvent]]:
        """Commit the events before the failing one; retry or dead-letter that one."""
        bad, error = 0, batch_error
        async with self.pool.acquire() as conn, conn.transaction():
            await begin_batch(conn, self.schema)
            done = (
                await conn.fetchval(
                    "select position from checkpoints where projection=$1 and stream=$2 for update",
                    self.projection.name,
                    self.stream,
                )
                or 0
            )
            for bad, (_, event) in enumerate(items):  # noqa: B007 - index of the failing one
                if event.seq <= done:
                    continue
                try:
                    async with conn.transaction():
                        await self.projection.apply(conn, [event])
                except Exception as exc:
                    error = exc
                    break
            else:
                bad = len(items)
            if bad:
                await save_checkpoint(
                    conn, self.projection.name, self.stream, items[bad - 1][1].seq
                )
        if bad:
            await items[bad - 1][0].ack()
        if bad == len(items):
            return []
        return await self._retry_or_bury(items[bad:], error)

    async def _retry_or_bury(
        self, items: list[tuple[Msg, StoredEvent]], error: BaseException
    ) -> list[tuple[Msg, StoredEvent]]:
        msg, event = items[0]
        tries = self._attempts.get(event.seq, 0) + 1
        self._attempts[event.seq] = tries
        total = tries + max(msg.metadata.num_delivered - 1, 0)
        if total < self.settings.max_attempts:
            log.warning(
                "projector %s: event %s failed (attempt %s): %s",
                self.durable,
                event.seq,
                total,
                error,
            )
            await asyncio.sleep(self.settings.retry_delay_s * total)
            for m, _ in items:
                await m.in_progress()
            return items
        log.error(
            "projector %s: event %s dead-lettered after %s attempts: %s",
            self.durable,
            event.seq,
            total,
            error,
        )
        async with self.pool.acquire() as conn, conn.transaction():
            await begin_batch(conn, self.schema)
            await record_dead_letter(conn, self.projection.name, self.stream, event, error, total)
        await msg.ack()
        self._attempts.pop(event.seq, None)
        return items[1:]
