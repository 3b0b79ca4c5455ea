"""The one way events reach a read model: a batch with its checkpoint, poison dead-lettered."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType

from asyncpg.transaction import Transaction

from shared.db import DbConn, advisory_key, ident
from shared.log.reader import StoredEvent
from shared.readside.projection import Projection, ProjectorSettings

log = logging.getLogger("smart.projection")
Waiting = Callable[[], Awaitable[None]]


class DeadLettered(Exception):
    """An event failed every attempt and is (again) a dead letter."""


@dataclass
class Applied:
    """What a batch came to: the checkpoint it reached and the events dead-lettered."""

    reached: int = 0
    buried: list[tuple[StoredEvent, BaseException]] = field(default_factory=list)


async def enter(conn: DbConn, schema: str) -> None:
    """Inside a transaction: wait out a schema switch, then write into `schema`."""
    await conn.execute("select pg_advisory_xact_lock_shared($1)", advisory_key("switch", schema))
    await conn.execute(f"set local search_path to {ident(schema)}")


def checkpoint_channel(schema: str) -> str:
    """Where a schema's committed checkpoints are announced (`<stream> <projection> <pos>`)."""
    return f"smart_checkpoints_{schema}"


async def save_checkpoints(conn: DbConn, stream: str, reached: dict[str, int]) -> None:
    """Each projection's position in one stream, in one statement; a checkpoint never
    moves back. Each is announced on the schema's channel once committed (read-your-writes
    waits on that, not on polling)."""
    if reached:
        await conn.execute(
            "with saved as (insert into checkpoints(projection, stream, position)"
            " select name, $2, position from unnest($1::text[], $3::bigint[]) as r(name, position)"
            " on conflict (projection, stream) do update"
            " set position = greatest(checkpoints.position, excluded.position), updated_at = now()"
            " returning projection, position)"
            " select pg_notify('smart_checkpoints_' || current_schema(),"
            " $2 || ' ' || projection || ' ' || position) from saved",
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


class Applier:
    """One transaction writing batches into one schema; every path to a read model uses
    one: the live projector, a rebuild's or replay's pages, a dead letter's retry.

    `async with Applier(conn, schema, settings)` opens the transaction (a savepoint inside
    the caller's) and waits out a schema switch; `apply` applies batches; the checkpoints
    they reach are written at the end, in the same transaction, so a crash anywhere applies
    nothing twice and loses nothing. A batch that fails is split in halves until the failing
    event is alone; that one is tried `settings.max_attempts` times (waiting `retry_delay_s`
    times the attempt, after `waiting`: a projector keeps its messages from redelivery),
    then dead-lettered, and the events around it still apply."""

    def __init__(
        self,
        conn: DbConn,
        schema: str,
        settings: ProjectorSettings,
        waiting: Waiting | None = None,
    ) -> None:
        self.conn, self.schema, self.settings, self.waiting = conn, ident(schema), settings, waiting
        self._reached: dict[str, dict[str, int]] = defaultdict(dict)
        self._tx: Transaction | None = None

    async def __aenter__(self) -> Applier:
        self._tx = self.conn.transaction()
        await self._tx.start()
        await enter(self.conn, self.schema)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        tx = self._tx
        if tx is None:
            raise RuntimeError("an Applier is used in `async with`")
        if kind is not None:
            await tx.rollback()
            return
        try:
            for stream, reached in self._reached.items():
                await save_checkpoints(self.conn, stream, reached)
        except BaseException:
            await tx.rollback()
            raise
        await tx.commit()

    def reach(self, projection: str, stream: str, seq: int) -> None:
        """Move the projection's checkpoint to `seq` with this transaction."""
        reached = self._reached[stream]
        reached[projection] = max(seq, reached.get(projection, 0))

    async def apply(
        self,
        projection: Projection,
        stream: str,
        events: Sequence[StoredEvent],
        *,
        after: int | None = None,
        upto: int | None = None,
    ) -> Applied:
        """Apply the events of `stream` above `after` (the projection's checkpoint, locked,
        unless the caller holds the schema and knows where to start: a rebuild, a replay, a
        dead letter's retry) and move the checkpoint to `upto` (the last event's position
        unless given)."""
        done = await self._locked_position(projection.name, stream) if after is None else after
        fresh = (
            events if not events or events[0].seq > done else [e for e in events if e.seq > done]
        )
        applied = Applied()
        if fresh:
            await self._apply(projection, stream, fresh, applied)
        top = upto if upto is not None else (events[-1].seq if events else 0)
        if top > done:
            self.reach(projection.name, stream, top)
        applied.reached = max(top, done)
        return applied

    async def _locked_position(self, projection: str, stream: str) -> int:
        value = await self.conn.fetchval(
            "select position from checkpoints where projection=$1 and stream=$2 for update",
            projection,
            stream,
        )
        return max(int(value or 0), self._reached[stream].get(projection, 0))

    async def _apply(
        self,
        projection: Projection,
        stream: str,
        events: Sequence[StoredEvent],
        applied: Applied,
    ) -> None:
        try:
            async with self.conn.transaction():
                await projection.apply(self.conn, events)
        except Exception as exc:
            if len(events) == 1:
                await self._retry_or_bury(projection, stream, events[0], exc, applied)
                return
            half = len(events) // 2
            await self._apply(projection, stream, events[:half], applied)
            await self._apply(projection, stream, events[half:], applied)

    async def _retry_or_bury(
        self,
        projection: Projection,
        stream: str,
        event: StoredEvent,
        error: BaseException,
        applied: Applied,
    ) -> None:
        name, attempts = f"{projection.name} on {stream}", self.settings.max_attempts
        for attempt in range(1, attempts):
            log.warning("%s: event %s failed (attempt %s): %s", name, event.seq, attempt, error)
            if self.waiting is not None:
                await self.waiting()
            await asyncio.sleep(self.settings.retry_delay_s * attempt)
            try:
                async with self.conn.transaction():
                    await projection.apply(self.conn, [event])
            except Exception as exc:
                error = exc
            else:
                return
        log.error(
            "%s: event %s dead-lettered after %s attempts: %s", name, event.seq, attempts, error
        )
        await record_dead_letter(self.conn, projection.name, stream, event, error, attempts)
        applied.buried.append((event, error))
