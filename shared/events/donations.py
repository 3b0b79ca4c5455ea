"""Event contracts published by the donations service (the officials' pool and the fund).

The distribution service consumes `PackagesProcured` for its stock.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from shared.events.base import DomainEvent
from shared.tenancy import AggregateRef, Tenant

SERVICE = "donations"


class PackagesProcured(DomainEvent):
    """The fund bought paket sembako: a lot of `packages` at `unit_price_idr` each.
    Lots are handed out first in, first out; a package's value is its lot's unit price.

    v1: first version.
    """

    procurement_id: str
    packages: int = Field(ge=1)
    unit_price_idr: int = Field(ge=1)
    total_idr: int = Field(ge=1)
    purchased_on: date
    supplier: str
    balance_after_idr: int = Field(ge=0)


FUND_AGGREGATE = "fund"


def fund_ref(tenant: Tenant) -> AggregateRef:
    """The kecamatan's fund: every donation, void and procurement is one of its events."""
    return AggregateRef(tenant, SERVICE, FUND_AGGREGATE, tenant.kec)
