"""Other services' facts the commands decide on, read from their aggregates in the log."""

from __future__ import annotations

from collections import OrderedDict

from services.distribution.domain import Lot
from shared.events.base import DomainEvent
from shared.events.donations import PackagesProcured, fund_ref
from shared.events.scheduler import KecamatanConfigured, kecamatan_ref
from shared.eventstore import EventStore
from shared.tenancy import AggregateRef, Tenant


class Facts:
    """Reads another service's aggregate incrementally, keeping only the types consumed."""

    def __init__(self, store: EventStore, cache_size: int = 2000) -> None:
        self.store = store
        self.cache_size = cache_size
        self._seen: OrderedDict[str, tuple[int, list[DomainEvent]]] = OrderedDict()

    async def _events(self, ref: AggregateRef, types: frozenset[str]) -> list[DomainEvent]:
        last, kept = self._seen.get(ref.subject, (0, []))
        fresh = await self.store.load(ref, after_seq=last)
        if fresh:
            kept = kept + [e.event for e in fresh if e.envelope.type in types]
            last = fresh[-1].seq
        self._seen[ref.subject] = (last, kept)
        self._seen.move_to_end(ref.subject)
        while len(self._seen) > self.cache_size:
            self._seen.popitem(last=False)
        return kept

    async def kecamatan(self, tenant: Tenant) -> KecamatanConfigured | None:
        """The kecamatan's current set-up, None if it was never configured."""
        events = await self._events(kecamatan_ref(tenant), frozenset({"KecamatanConfigured"}))
        latest = events[-1] if events else None
        return latest if isinstance(latest, KecamatanConfigured) else None

    async def lots(self, tenant: Tenant) -> list[Lot]:
        """The kecamatan's procured lots, in the order they were bought."""
        events = await self._events(fund_ref(tenant), frozenset({"PackagesProcured"}))
        return [
            Lot(e.procurement_id, e.packages, e.unit_price_idr)
            for e in events
            if isinstance(e, PackagesProcured)
        ]
