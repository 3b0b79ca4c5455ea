"""The kecamatan's units, from the set-up the scheduler last published."""

from __future__ import annotations

from shared.kecamatan import KecamatanDirectory, KecamatanNotFound
from shared.tenancy import Tenant


class Kecamatans(KecamatanDirectory):
    async def units(self, tenant: Tenant) -> tuple[str, ...]:
        """The current units; 404 when the kecamatan was never configured."""
        return tuple((await self.require(tenant)).units)


__all__ = ["KecamatanNotFound", "Kecamatans"]
