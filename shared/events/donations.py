"""Event contracts published by the donations service (the officials' pool and the fund).

The distribution service consumes `PackagesProcured` for its stock.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

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


class ExpenseCategory(StrEnum):
    """What an expense other than packages paid for (CONTRACT v2, Cash book and periods)."""

    TRANSPORT = "TRANSPORT"
    KEMASAN = "KEMASAN"
    ADMINISTRASI = "ADMINISTRASI"
    LAINNYA = "LAINNYA"


class ExpenseRecorded(DomainEvent):
    """The treasurer paid a cost of the programme other than packages (transport to a desa,
    packaging, stamps and paper) out of the fund, as a procurement spends it.

    `receipt_no` counts from 1 per kecamatan and year of `spent_on`, without gaps, apart from
    donations' receipts. `balance_after_idr` is the fund's balance once it is paid.

    v1: first version.
    """

    expense_id: str
    amount_idr: int = Field(ge=1)
    spent_on: date
    category: ExpenseCategory
    description: EventLine
    receipt_no: int = Field(ge=1)
    balance_after_idr: int = Field(ge=0)


class PeriodClosed(DomainEvent):
    """A month of the books was closed: its movements are final (a correction goes into an
    open month). `closing_idr` is the cash book's balance at the month's end, by business date.

    v1: first version.
    """

    year: int = Field(ge=1900, le=9999)
    month: int = Field(ge=1, le=12)
    closing_idr: int

    @property
    def period(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


FUND_AGGREGATE = "fund"


def fund_ref(tenant: Tenant) -> AggregateRef:
    """The kecamatan's fund: every donation, void, procurement, expense and closed month is
    one of its events (one aggregate: the balance, the receipts and the periods agree)."""
    return AggregateRef(tenant, SERVICE, FUND_AGGREGATE, tenant.kec)
