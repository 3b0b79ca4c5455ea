"""Event contracts published by the donations service (the officials' pool and the fund).

The distribution service consumes `PackagesProcured` for its stock.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from shared.events.base import DomainEvent, Sealed
from shared.strict import EventLine, EventText
from shared.tenancy import AggregateRef, Tenant

SERVICE = "donations"


class DonationReceived(DomainEvent):
    """An official's monthly gift ("seikhlasnya") reached the fund through a unit.

    `receipt_no` counts from 1 per kecamatan and year of `received_on`, without gaps.
    The donor's name never travels in clear text: `donor_sealed` is the name sealed with the
    donation's own data key (shredding the key forgets it), null when the gift is anonymous
    ("hamba Allah"). `balance_after_idr` is the fund's balance once the gift is counted.

    v1: first version.
    """

    donation_id: str
    unit: EventLine
    amount_idr: int = Field(ge=1)
    received_on: date
    receipt_no: int = Field(ge=1)
    anonymous: bool
    donor_sealed: Sealed | None = None
    balance_after_idr: int = Field(ge=0)

    def sealing_key(self, ref: AggregateRef) -> str:
        return f"donation:{self.donation_id}"

    def sealing_context(self, ref: AggregateRef, field: str) -> str:
        return self.donation_id


class DonationVoided(DomainEvent):
    """A recorded donation was reversed (a wrong entry, a returned gift): a reversing entry,
    the donation itself stays in the log and keeps its receipt number. Carries the voided
    donation's unit, amount, business date and receipt so consumers need nothing else.

    v1: first version.
    """

    donation_id: str
    reason: EventText
    voided_on: date
    unit: EventLine
    amount_idr: int = Field(ge=1)
    received_on: date
    receipt_no: int = Field(ge=1)
    balance_after_idr: int = Field(ge=0)


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
    supplier: EventLine
    balance_after_idr: int = Field(ge=0)


FUND_AGGREGATE = "fund"


def fund_ref(tenant: Tenant) -> AggregateRef:
    """The kecamatan's fund: every donation, void and procurement is one of its events."""
    return AggregateRef(tenant, SERVICE, FUND_AGGREGATE, tenant.kec)
