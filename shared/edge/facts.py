"""Other services' facts a command decides on (the kecamatan's set-up, procured lots).

The followed ones (every kecamatan's set-up) are kept in memory, current from an ordered
push consumer on their subjects: a command reads them without I/O. Any other aggregate is
read from the log incrementally, into a bounded cache. A refusal is never answered on
memory: "not configured" re-reads the log first, and so may the caller of a fact a refusal
rests on (`reread=True`)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.errors import NotFoundError

from shared.errors import DomainError
from shared.events.base import DomainEvent
from shared.events.scheduler import KECAMATAN_AGGREGATE, KecamatanConfigured, kecamatan_ref
from shared.events.scheduler import SERVICE as SCHEDULER
from shared.log.eventstore import EventStore
from shared.log.reader import StoredEvent
from shared.readside.follow import Following, follow
from shared.tenancy import AggregateRef, Tenant, stream_name

log = logging.getLogger("smart.facts")
Key = tuple[str, frozenset[str]]
KECAMATAN_TYPES = frozenset({KecamatanConfigured.type_name()})
FOLLOWED = ((SCHEDULER, KECAMATAN_AGGREGATE),)
RETRY_S = 1.0
FAILED_RETRY_S = 30.0


class KecamatanNotFound(DomainError):
    status = 404

    def __init__(self, tenant: Tenant) -> None:
        super().__init__(
            "NOT_FOUND",
            f"Kecamatan {tenant.kec_dotted} belum dikonfigurasi",
            f"Kecamatan {tenant.kec_dotted} has not been configured",
        )


@dataclass
class Known:
    """One followed aggregate's events up to stream sequence `last`, every one of them."""

    last: int = 0
    events: tuple[StoredEvent, ...] = ()
    _of: dict[frozenset[str], tuple[DomainEvent, ...]] = field(default_factory=dict)

    def extended(self, fresh: Sequence[StoredEvent]) -> Known:
        newer = [e for e in fresh if e.seq > self.last]
        return Known(newer[-1].seq, (*self.events, *newer)) if newer else self

    def of_types(self, types: frozenset[str]) -> tuple[DomainEvent, ...]:
        found = self._of.get(types)
        if found is None:
            found = tuple(e.event for e in self.events if e.envelope.type in types)
            self._of[types] = found
        return found


@dataclass
class Follower:
    """A kabupaten's followed aggregates, in memory as they are stored (once `following`
    is ready: before, memory may lag the log)."""

    following: Following | None = None
    starting: asyncio.Task[None] | None = None
    retry_at: float = 0.0
    memory: dict[str, Known] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.following is not None and self.following.ready

    def absorb(self, msg: Msg) -> None:
        event = StoredEvent(msg.metadata.sequence.stream, msg.subject, msg.data)
        self.memory[msg.subject] = self.memory.get(msg.subject, Known()).extended([event])


class Facts:
    """Facts as of the log's head when they are asked (or, followed, as of what this process
    has been told, a moment behind at most): "unknown" is never a stale answer."""

    def __init__(
        self,
        store: EventStore,
        cache_size: int = 2000,
        *,
        nc: NATS | None = None,
        followed: Sequence[tuple[str, str]] = FOLLOWED,
    ) -> None:
        self.store = store
        self.cache_size = cache_size
        self.nc = nc
        self.followed = frozenset(followed)
        self._seen: OrderedDict[Key, tuple[int, tuple[DomainEvent, ...]]] = OrderedDict()
        self._followers: dict[str, Follower] = {}

    async def events(
        self, ref: AggregateRef, types: frozenset[str], *, reread: bool = False
    ) -> tuple[DomainEvent, ...]:
        """The aggregate's events of `types`, in log order, up to its last one; `reread`:
        read from the log, whatever memory holds (before a refusal)."""
        if (ref.service, ref.aggregate_type) in self.followed and self.nc is not None:
            return (await self._followed(ref, reread)).of_types(types)
        return await self._cached(ref, types)

    async def kecamatan(
        self, tenant: Tenant, *, reread: bool = False
    ) -> KecamatanConfigured | None:
        """The kecamatan's current set-up, None if it was never configured."""
        events = await self.events(kecamatan_ref(tenant), KECAMATAN_TYPES, reread=reread)
        latest = events[-1] if events else None
        return latest if isinstance(latest, KecamatanConfigured) else None

    async def require_kecamatan(self, tenant: Tenant) -> KecamatanConfigured:
        """The kecamatan's current set-up; 404 when the log, read now, has none."""
        config = await self.kecamatan(tenant)
        if config is None:
            config = await self.kecamatan(tenant, reread=True)
        if config is None:
            raise KecamatanNotFound(tenant)
        return config

    async def close(self) -> None:
        for follower in self._followers.values():
            if follower.starting is not None:
                follower.starting.cancel()
                await asyncio.gather(follower.starting, return_exceptions=True)
            if follower.following is not None:
                await follower.following.stop()
        self._followers.clear()

    async def _followed(self, ref: AggregateRef, reread: bool) -> Known:
        follower = self._follower(ref.tenant.kab)
        assert self.nc is not None
        if follower.ready and not reread and self.nc.is_connected:
            return follower.memory.get(ref.subject, Known())
        before = follower.memory.get(ref.subject, Known())
        fresh = await self.store.load(ref, after_seq=before.last)
        known = follower.memory.get(ref.subject, Known()).extended(fresh)
        follower.memory[ref.subject] = known
        return known

    def _follower(self, kab: str) -> Follower:
        """The kabupaten's follower, started in the background on first use (again a while
        after it failed): until it is ready, facts are read from the log."""
        follower = self._followers.setdefault(kab, Follower())
        idle = follower.following is None and follower.starting is None
        if idle and time.monotonic() >= follower.retry_at:
            follower.starting = asyncio.create_task(self._start(kab, follower))
        return follower

    async def _start(self, kab: str, follower: Follower) -> None:
        assert self.nc is not None
        subjects = [f"smart.{kab}.*.{service}.{kind}.*" for service, kind in self.followed]
        try:
            js = self.nc.jetstream()
            follower.following = await follow(js, stream_name(kab), subjects, follower.absorb)
        except NotFoundError:  # no stream yet: nothing to follow
            follower.retry_at = time.monotonic() + RETRY_S
        except Exception as exc:
            log.warning("facts of %s not followed (%r): read from the log meanwhile", kab, exc)
            follower.retry_at = time.monotonic() + FAILED_RETRY_S
        finally:
            follower.starting = None

    async def _cached(self, ref: AggregateRef, types: frozenset[str]) -> tuple[DomainEvent, ...]:
        key = (ref.subject, types)
        last, kept = self._seen.get(key, (0, ()))
        fresh = await self.store.load(ref, after_seq=last)
        if fresh:
            kept = (*kept, *(e.event for e in fresh if e.envelope.type in types))
            last = fresh[-1].seq
        latest = self._seen.get(key)
        if latest is None or latest[0] <= last:
            self._seen[key] = (last, kept)
        self._seen.move_to_end(key)
        while len(self._seen) > self.cache_size:
            self._seen.popitem(last=False)
        return kept
