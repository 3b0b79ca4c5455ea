"""Who received a package, in clear: opened from the sealed hand-out only when a document
(the BAST) needs it, never kept. The read models keep the masked name only."""

from __future__ import annotations

from services.distribution.aggregates import HOUSEHOLD
from services.distribution.personal import unseal
from shared.crypto import open_text
from shared.events.distribution import PackageDistributed, household_ref, received_context
from shared.keys import KeyStore
from shared.runtime import Runtime
from shared.tenancy import Tenant


def opened_name(key: bytes, event: PackageDistributed) -> str:
    """The receiver's name a hand-out names (it must name one)."""
    assert event.received_name is not None
    return open_text(key, event.received_name, received_context(event.package_id))


async def received_name(rt: Runtime, keys: KeyStore, tenant: Tenant, seq: int) -> str | None:
    """The clear name of who received the package handed out at log sequence `seq` (the
    `packages.seq` of the read model): the name the hand-out gives, else the head's (the
    head took it); None once the household is forgotten (its key shredded) or for a
    hand-out recorded before names were (v1)."""
    stored = await rt.store.get(tenant.kab, seq)
    event = stored.event if stored is not None else None
    if not isinstance(event, PackageDistributed) or event.relation is None:
        return None
    key = await keys.existing(event.household_id)
    if key is None:
        return None
    if event.received_name is not None:
        return opened_name(key, event)
    household = (await rt.runner.load(HOUSEHOLD, household_ref(tenant, event.household_id))).state
    return unseal(key, event.household_id, household.personal).name if household else None


async def receiver_of(rt: Runtime, keys: KeyStore, tenant: Tenant, package_id: str) -> str | None:
    """The clear name of who received the package `package_id` (see `received_name`); None
    for a package the read model does not hold."""
    seq = await rt.pool.fetchval(
        f"select seq from {rt.schema}.packages where package_id = $1 and kab = $2 and kec = $3",
        package_id,
        tenant.kab,
        tenant.kec,
    )
    return await received_name(rt, keys, tenant, int(seq)) if seq is not None else None
