"""The kecamatan's set-up as the scheduler last published it: its desa and its units."""

from __future__ import annotations

from dataclasses import dataclass

from services.integrity.domain import Directory
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
    directory: Directory | None = None


class Kecamatans:
    """Reads each kecamatan's aggregate from the log, remembering what it has seen."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._seen: dict[str, _Seen] = {}

    async def directory(self, tenant: Tenant) -> Directory:
        """The latest set-up; 404 when the kecamatan was never configured."""
        ref = kecamatan_ref(tenant)
        seen = self._seen.get(ref.subject, _Seen())
        fresh = await self.store.load(ref, after_seq=seen.last_seq)
        directory = seen.directory
        for stored in fresh:
            if stored.envelope.type == KecamatanConfigured.type_name():
                event = stored.event
                if isinstance(event, KecamatanConfigured):
                    directory = Directory.of(event)
        if fresh:
            latest = self._seen.get(ref.subject)
            if latest is None or latest.last_seq < fresh[-1].seq:
                self._seen[ref.subject] = _Seen(fresh[-1].seq, directory)
        if directory is None:
            raise KecamatanNotFound(tenant)
        return directory
