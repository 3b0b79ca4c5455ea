"""The kecamatan's desa and units, from the set-up the scheduler last published."""

from __future__ import annotations

from services.integrity.domain import Directory
from shared.kecamatan import KecamatanDirectory, KecamatanNotFound
from shared.tenancy import Tenant


class Kecamatans(KecamatanDirectory):
    async def directory(self, tenant: Tenant) -> Directory:
        """The latest set-up; 404 when the kecamatan was never configured."""
        return Directory.of(await self.require(tenant))


__all__ = ["KecamatanNotFound", "Kecamatans"]
