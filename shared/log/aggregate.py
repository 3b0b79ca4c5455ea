"""Running a command: load the aggregate, decide, append conditionally, retry on conflict."""

from __future__ import annotations

import asyncio
import random
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from shared.clock import utc_now
from shared.errors import DomainError, WriteConflict
from shared.events.base import DomainEvent
from shared.log.canonical import GENESIS_HASH
from shared.log.envelope import Metadata
from shared.log.eventstore import ConcurrencyConflict, EventStore
from shared.log.reader import StoredEvent
from shared.tenancy import AggregateRef

if TYPE_CHECKING:
    from shared.keys import Sealer

S = TypeVar("S")


@dataclass(frozen=True)
class AggregateType(Generic[S]):
    """How to rebuild one kind of aggregate: its empty state and its pure `evolve`."""

    service: str
    name: str
    initial: Callable[[], S]
    evolve: Callable[[S, DomainEvent], S]


@dataclass(frozen=True)
class Loaded(Generic[S]):
    """An aggregate's state as of `last_seq` (its last event's stream sequence)."""

    state: S
    version: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    by_command: dict[str, tuple[StoredEvent, ...]] = field(default_factory=dict)

    def folded(self, kind: AggregateType[S], events: Sequence[StoredEvent]) -> Loaded[S]:
        state, by_command = self.state, dict(self.by_command)
        for stored in events:
            cid = stored.envelope.command_id  # the whole envelope first: the event from it
            state = kind.evolve(state, stored.event)
            by_command[cid] = (*by_command.get(cid, ()), stored)
        if not events:
            return self
        last = events[-1]
        return replace(
            self,
            state=state,
            version=last.envelope.aggregate_version,
            last_seq=last.seq,
            last_hash=last.envelope.hash,
            by_command=by_command,
        )


@dataclass(frozen=True)
class Outcome(Generic[S]):
    """What a command did: the state after it, its events, and the log position reached.

    `replayed` is true when the command had been applied before (same command id)."""

    state: S
    events: tuple[StoredEvent, ...]
    position: int
    replayed: bool = False


class CommandRunner:
    """load -> decide -> seal -> append, with a bounded cache of aggregates per process.

    `decide()` leaves personal fields in clear, marked `Clear`; the `sealer` seals them with
    their subject's key right before the append (a key is made only for events about to be
    stored, never for a refusal or a replay), and destroys a subject's key once the event
    that forgets it is stored."""

    def __init__(
        self,
        store: EventStore,
        *,
        clock: Callable[[], datetime] = utc_now,
        attempts: int = 6,
        cache_size: int = 2000,
        sealer: Sealer | None = None,
    ) -> None:
        self.store = store
        self.sealer = sealer
        self.clock = clock
        self.attempts = attempts
        self.cache_size = cache_size
        self._cache: OrderedDict[str, Loaded[object]] = OrderedDict()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def load(self, kind: AggregateType[S], ref: AggregateRef) -> Loaded[S]:
        cached: Loaded[S] = self._cache.get(ref.subject) or Loaded(kind.initial())  # type: ignore[assignment]
        fresh = await self.store.load(ref, after_seq=cached.last_seq)
        loaded = cached.folded(kind, fresh)
        self._remember(ref.subject, loaded)
        return loaded

    async def known(
        self, kind: AggregateType[S], ref: AggregateRef, holds: Callable[[S], bool]
    ) -> Loaded[S]:
        """The aggregate as this process holds it when that already `holds` what is asked
        (something that exists stays so: no read), else as the log holds it now. For
        checks made before a command, which `decide` judges again on a state the append
        proves current."""
        cached: Loaded[S] | None = self._cache.get(ref.subject)  # type: ignore[assignment]
        if cached is not None and holds(cached.state):
            return cached
        return await self.load(kind, ref)

    def _remember(self, subject: str, loaded: Loaded[S]) -> None:
        self._cache[subject] = loaded  # type: ignore[assignment]
        self._cache.move_to_end(subject)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    async def execute(
        self,
        kind: AggregateType[S],
        ref: AggregateRef,
        meta: Metadata,
        decide: Callable[[S], Sequence[DomainEvent]],
        *,
        occurred_at: datetime | None = None,
    ) -> Outcome[S]:
        """Apply a command once: a retry with the same command id answers the first result.
        Commands on one aggregate queue up inside a process; replicas race on the append."""
        lock = self._locks.get(ref.subject)
        if lock is None:
            lock = self._locks[ref.subject] = asyncio.Lock()
        async with lock:
            return await self._execute(kind, ref, meta, decide, occurred_at)

    async def _execute(
        self,
        kind: AggregateType[S],
        ref: AggregateRef,
        meta: Metadata,
        decide: Callable[[S], Sequence[DomainEvent]],
        occurred_at: datetime | None,
    ) -> Outcome[S]:
        """Decide first on the state this process holds (no read when nothing changed): the
        conditional append proves it current. A refusal or a no-op is only answered on a
        state read from the log, never on a cached one that may be behind. Keys made for
        an append that never happened are discarded."""
        made: list[str] = []
        try:
            outcome = await self._attempts(kind, ref, meta, decide, occurred_at, made)
        except BaseException:
            if made and self.sealer is not None:
                await self.sealer.keys.discard(made)
            raise
        if made and not outcome.events and self.sealer is not None:
            await self.sealer.keys.discard(made)
        return outcome

    async def _attempts(
        self,
        kind: AggregateType[S],
        ref: AggregateRef,
        meta: Metadata,
        decide: Callable[[S], Sequence[DomainEvent]],
        occurred_at: datetime | None,
        made: list[str],
    ) -> Outcome[S]:
        cached: Loaded[S] | None = self._cache.get(ref.subject)  # type: ignore[assignment]
        for attempt in range(self.attempts):
            loaded = cached if cached is not None else await self.load(kind, ref)
            fresh, cached = cached is None, None
            done = loaded.by_command.get(meta.command_id)
            if done:
                made.clear()  # a key this command made now seals its stored events
                return Outcome(loaded.state, done, done[-1].seq, replayed=True)
            try:
                new = list(decide(loaded.state))
            except DomainError:
                if fresh:
                    raise
                continue
            if not new:
                if fresh:
                    return Outcome(loaded.state, (), loaded.last_seq)
                continue
            if self.sealer is not None:
                new, keys = await self.sealer.seal(ref, new)
                made.extend(k for k in keys if k not in made)
            try:
                appended = await self.store.append(
                    ref,
                    new,
                    meta,
                    expected_last_seq=loaded.last_seq,
                    version=loaded.version,
                    prev_hash=loaded.last_hash,
                    now=self.clock(),
                    occurred_at=occurred_at,
                )
            except ConcurrencyConflict:
                if not fresh:
                    continue
                await asyncio.sleep(random.uniform(0.001, 0.01) * (attempt + 1))
                continue
            if appended.duplicate:
                continue
            made.clear()
            after = loaded.folded(kind, appended.events)
            self._remember(ref.subject, after)
            if self.sealer is not None:
                await self.sealer.forget(ref, new)
            return Outcome(after.state, tuple(appended.events), appended.events[-1].seq)
        raise WriteConflict()
