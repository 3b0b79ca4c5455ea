"""A service's read side: its schema, its projectors per kabupaten, read-your-writes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path

import asyncpg
from nats.aio.client import Client as NATS
from nats.js.errors import NotFoundError

from shared.db import DbConn, ident, migrate
from shared.errors import NotCaughtUp, NotFound
from shared.log.eventstore import EventStore
from shared.readside.apply import Applier, DeadLettered, checkpoint_channel
from shared.readside.projection import Checkpoints, Projection, ProjectorSettings, relevant
from shared.readside.projector import Projector
from shared.tenancy import STREAM_PREFIX, kab_of_stream, stream_name

log = logging.getLogger("smart.readside")
RECHECK_S = 0.25
"""How long `wait_for` trusts the checkpoint announcements before it reads them itself."""


class ReadSide:
    """Runs the projectors of one service for every kabupaten it serves."""

    def __init__(
        self,
        *,
        service: str,
        schema: str,
        migrations: Path | None,
        projections: Sequence[Projection],
        nc: NATS,
        pool: asyncpg.Pool,
        store: EventStore,
        settings: ProjectorSettings | None = None,
        kabupaten: list[str] | None = None,
        discovery_interval_s: float = 2.0,
    ) -> None:
        self.service, self.schema = service, ident(schema)
        self.migrations = migrations
        self.projections = list(projections)
        self.nc, self.pool, self.store = nc, pool, store
        self.settings = settings or ProjectorSettings()
        self.kabupaten = kabupaten
        self.discovery_interval_s = discovery_interval_s
        self.checkpoints = Checkpoints(pool, schema)
        self._tasks: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._discovery: asyncio.Task[None] | None = None
        self._lock_conn: DbConn | None = None
        self._lock_guard = asyncio.Lock()
        self._reached: dict[tuple[str, str], int] = {}
        self._moved = asyncio.Event()

    async def migrate(self) -> None:
        async with self.pool.acquire() as conn:
            await migrate(conn, self.schema, self.migrations)

    async def start(self) -> None:
        await self.migrate()
        self._lock_conn = await self.pool.acquire()
        await self._lock_conn.add_listener(checkpoint_channel(self.schema), self._notified)
        await self.discover()
        self._discovery = asyncio.create_task(self._discover_forever())

    async def stop(self) -> None:
        tasks = [*self._tasks.values(), *([self._discovery] if self._discovery else [])]
        while tasks:
            for task in tasks:
                task.cancel()
            await asyncio.wait(tasks, timeout=2.0)
            tasks = [task for task in tasks if not task.done()]
        self._tasks.clear()
        if self._lock_conn is not None:
            channel = checkpoint_channel(self.schema)
            with contextlib.suppress(Exception):
                await self._lock_conn.remove_listener(channel, self._notified)
            await self.pool.release(self._lock_conn)  # type: ignore[arg-type]
            self._lock_conn = None

    def failure(self) -> str | None:
        """Why a projector or the discovery stopped, if one did (they stop only on an error
        they cannot retry, such as losing the connection that holds their locks)."""
        tasks = [*self._tasks.values(), *([self._discovery] if self._discovery else [])]
        for task in tasks:
            if task.done():
                error = None if task.cancelled() else task.exception()
                return f"{task.get_name()}: {error!r}" if error else f"{task.get_name()} ended"
        return None

    async def _discover_forever(self) -> None:
        while True:
            await asyncio.sleep(self.discovery_interval_s)
            try:
                await self.discover()
            except Exception:
                log.exception("%s: stream discovery failed", self.service)

    async def discover(self) -> None:
        names = [n for n in await self.store.stream_names() if n.startswith(STREAM_PREFIX)]
        for name in names:
            kab = kab_of_stream(name)
            if self.kabupaten is None or kab in self.kabupaten:
                await self.follow(kab)

    async def follow(self, kab: str) -> bool:
        """Start this service's projectors on the kabupaten's stream, if it exists."""
        if self._lock_conn is None:
            raise RuntimeError("read side not started")
        if self.kabupaten is not None and kab not in self.kabupaten:
            return False
        if all((kab, p.name) in self._tasks for p in self.projections):
            return True
        try:
            await self.store.js.stream_info(stream_name(kab))
        except NotFoundError:
            return False
        for projection in self.projections:
            if (kab, projection.name) not in self._tasks:
                projector = Projector(
                    self.nc, self.pool, self.service, self.schema, kab, projection, self.settings
                )
                self._tasks[(kab, projection.name)] = asyncio.create_task(
                    projector.run(self._lock_conn, self._lock_guard),
                    name=f"projector {projection.name} on {kab}",
                )
        return True

    def _notified(self, conn: object, pid: int, channel: str, payload: object, /) -> None:
        """A projector of this service (in any replica) committed a checkpoint."""
        stream, name, position = str(payload).split(" ")
        self._reach(stream, name, int(position))

    def _reach(self, stream: str, projection: str, position: int) -> None:
        key = (stream, projection)
        if position > self._reached.get(key, 0):
            self._reached[key] = position
            self._moved.set()
            self._moved = asyncio.Event()

    def _behind(self, stream: str, position: int) -> list[Projection]:
        """The projections not known to have applied their events up to `position`."""
        return [p for p in self.projections if self._reached.get((stream, p.name), 0) < position]

    async def caught_up(self, kab: str, position: int, *, read: bool = True) -> bool:
        """Has every projection applied its events up to `position`? Known without I/O once
        a checkpoint at or past it was announced; else asked of the log (and of the
        checkpoints, unless `read` is False and one was announced: it is a lower bound)."""
        stream = stream_name(kab)
        behind = self._behind(stream, position) if position > 0 else []
        if not behind:
            return True
        if not await self.follow(kab):
            return False
        head_reached = False
        for projection in behind:
            done = self._reached.get((stream, projection.name), 0)
            if read or not done:
                done = max(done, await self.checkpoints.position(projection.name, stream))
                self._reach(stream, projection.name, done)
            if done >= position:
                continue
            after = await self._next_event(kab, projection, done)
            if after is None and not head_reached:
                if await self.store.last_seq(kab) < position:
                    return False
                head_reached = True  # every event up to `position` is in the stream: ask again
                after = await self._next_event(kab, projection, done)
            if after is not None and after <= position:
                return False
            self._reach(stream, projection.name, position)  # none of its events until there
        return True

    async def _next_event(self, kab: str, projection: Projection, done: int) -> int | None:
        """The position of `projection`'s first event after `done`, if any. Asked of the
        stream leader, which holds every acknowledged event (a replica or a consumer may lag)."""
        found: list[int] = []
        for subject in projection.filters(kab):
            try:
                msg = await self.store.js.get_msg(
                    stream_name(kab), seq=done + 1, subject=subject, next=True
                )
            except NotFoundError:
                continue
            if msg.seq is not None:
                found.append(msg.seq)
        return min(found, default=None)

    async def wait_for(self, kab: str, position: int | None, timeout: float = 10.0) -> None:
        """Return once every projection has applied all its events up to `position`: read
        once, then on the checkpoints' announcements, reading again every `RECHECK_S`."""
        if not position:
            return
        stream = stream_name(kab)
        now = time.monotonic()
        deadline, recheck, read = now + timeout, now, False
        while True:
            moved = self._moved
            if not self._behind(stream, position):
                return
            now = time.monotonic()
            if now >= recheck:
                if await self.caught_up(kab, position, read=read):
                    return
                read = True
                now = time.monotonic()
                recheck = now + RECHECK_S
            if now >= deadline:
                raise NotCaughtUp(position)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(moved.wait(), min(deadline, recheck) - now)

    async def lag(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        for kab, name in sorted(self._tasks):
            stream = stream_name(kab)
            position = await self.checkpoints.position(name, stream)
            try:
                info = await self.store.js.consumer_info(stream, f"{self.service}__{name}")
                pending = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
            except NotFoundError:
                pending = -1
            rows.append(
                {"projection": name, "stream": stream, "position": position, "pending": pending}
            )
        return rows

    async def retry_dead_letter(self, dead_letter_id: int) -> None:
        """Apply a dead-lettered event again (after a fix), as every batch is applied; mark
        it resolved if it applies, else it stays a dead letter with the new error."""
        row = await self.pool.fetchrow(
            f"select * from {self.schema}.dead_letters where id=$1 and resolved_at is null",
            dead_letter_id,
        )
        if row is None:
            raise NotFound("dead letter", str(dead_letter_id))
        projection = next(p for p in self.projections if p.name == row["projection"])
        stream, kab = row["stream"], kab_of_stream(row["stream"])
        event = await self.store.get(kab, int(row["seq"]))
        if event is None:
            raise NotFound("event", str(row["seq"]))
        events = relevant(projection, kab, [event])
        async with (
            self.pool.acquire() as conn,
            Applier(conn, self.schema, self.settings) as applier,
        ):
            applied = await applier.apply(projection, stream, events, after=0)
            if not applied.buried:
                await conn.execute(
                    "update dead_letters set resolved_at = now() where id = $1", dead_letter_id
                )
        if applied.buried:
            buried, error = applied.buried[0]
            raise DeadLettered(f"{projection.name} seq {buried.seq}: {error}") from error
