"""The kecamatan's set-up as the scheduler last published it, read from the log by the
services that consume it (each keeps what it has seen and reads only newer events)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import DomainError
from shared.events.scheduler import KecamatanConfigured, kecamatan_ref
from shared.eventstore import EventStore
from shared.tenancy import Tenant


class KecamatanNotFound(DomainError):
    status = 404

    def __init__(self, tenant: Tenant) -> None:
        super().__init__(
            "NOT_FOUND",
            f"Kecamatan {tenant.kec_dotted} belum dikonfigurasi",
            f"Kecamatan {tenant.kec_dotted} has not been configured",
        )


@dataclass(frozen=True)
class _Seen:
    last_seq: int = 0
    config: KecamatanConfigured | None = None


class KecamatanDirectory:
    """Reads each kecamatan's set-up aggregate from the log, remembering what it has seen."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._seen: dict[str, _Seen] = {}

    async def require(self, tenant: Tenant) -> KecamatanConfigured:
        """The latest set-up; 404 when the kecamatan was never configured."""
        config = await self.current(tenant)
        if config is None:
            raise KecamatanNotFound(tenant)
        return config

    async def current(self, tenant: Tenant) -> KecamatanConfigured | None:
        ref = kecamatan_ref(tenant)
        seen = self._seen.get(ref.subject, _Seen())
        fresh = await self.store.load(ref, after_seq=seen.last_seq)
        config = seen.config
        for stored in fresh:
            event = stored.event
            if isinstance(event, KecamatanConfigured):
                config = event
        if fresh:
            latest = self._seen.get(ref.subject)
            if latest is None or latest.last_seq < fresh[-1].seq:
                self._seen[ref.subject] = _Seen(fresh[-1].seq, config)
        return config
