"""Other services' facts a command decides on (the kecamatan's set-up, procured lots),
read from their aggregates in the log: incrementally, into a bounded cache per process."""

from __future__ import annotations

from collections import OrderedDict

from shared.errors import DomainError
from shared.events.base import DomainEvent
from shared.events.scheduler import KecamatanConfigured, kecamatan_ref
from shared.eventstore import EventStore
from shared.tenancy import AggregateRef, Tenant

Key = tuple[str, frozenset[str]]
KECAMATAN_TYPES = frozenset({KecamatanConfigured.type_name()})


class KecamatanNotFound(DomainError):
    status = 404

    def __init__(self, tenant: Tenant) -> None:
        super().__init__(
            "NOT_FOUND",
            f"Kecamatan {tenant.kec_dotted} belum dikonfigurasi",
            f"Kecamatan {tenant.kec_dotted} has not been configured",
        )


class Facts:
    """Each aggregate read once from the start, then only its newer events: a fact is
    never older than the log's head when it is asked, so "unknown" is never a stale answer."""

    def __init__(self, store: EventStore, cache_size: int = 2000) -> None:
        self.store = store
        self.cache_size = cache_size
        self._seen: OrderedDict[Key, tuple[int, tuple[DomainEvent, ...]]] = OrderedDict()

    async def events(self, ref: AggregateRef, types: frozenset[str]) -> tuple[DomainEvent, ...]:
        """The aggregate's events of `types`, in log order, up to its last one."""
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

    async def kecamatan(self, tenant: Tenant) -> KecamatanConfigured | None:
        """The kecamatan's current set-up, None if it was never configured."""
        events = await self.events(kecamatan_ref(tenant), KECAMATAN_TYPES)
        latest = events[-1] if events else None
        return latest if isinstance(latest, KecamatanConfigured) else None

    async def require_kecamatan(self, tenant: Tenant) -> KecamatanConfigured:
        """The kecamatan's current set-up; 404 when it was never configured."""
        config = await self.kecamatan(tenant)
        if config is None:
            raise KecamatanNotFound(tenant)
        return config
