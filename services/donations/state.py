"""The fund as its events leave it: totals, receipts, donations, months and closed periods."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import DomainEvent
from shared.events.donations import (
    FUND_AGGREGATE,
    SERVICE,
    DonationReceived,
    DonationVoided,
    ExpenseRecorded,
    PackagesProcured,
    PeriodClosed,
)
from shared.log.aggregate import AggregateType


def period_of(day: date) -> str:
    """`2024-03-15` -> `2024-03`: the month of the books a business date falls in."""
    return f"{day.year:04d}-{day.month:02d}"


class Donation(BaseModel):
    """What the fund remembers of one donation: enough to void it."""

    model_config = ConfigDict(frozen=True)

    unit: str
    amount_idr: int
    received_on: date
    receipt_no: int
    voided: bool = False


class Fund(BaseModel):
    """The kecamatan's fund: totals, the last receipt number per year (donations' and
    expenses' apart), its donations, the net movement of each month that has one (by
    business date) and the closing balance of each closed month."""

    model_config = ConfigDict(frozen=True)

    donated_idr: int = 0
    voided_idr: int = 0
    spent_idr: int = 0
    packages_procured: int = 0
    last_receipt: dict[int, int] = Field(default_factory=dict)
    last_expense_receipt: dict[int, int] = Field(default_factory=dict)
    donations: dict[str, Donation] = Field(default_factory=dict)
    months: dict[str, int] = Field(default_factory=dict)
    closed: dict[str, int] = Field(default_factory=dict)

    @property
    def balance_idr(self) -> int:
        return self.donated_idr - self.voided_idr - self.spent_idr

    def next_receipt(self, year: int) -> int:
        return self.last_receipt.get(year, 0) + 1

    def next_expense_receipt(self, year: int) -> int:
        return self.last_expense_receipt.get(year, 0) + 1

    @property
    def closed_through(self) -> str | None:
        """The latest closed month: every month up to it is frozen."""
        return max(self.closed, default=None)

    def closing_of(self, period: str) -> int:
        """The cash book's balance at the end of `period`, by business date."""
        return sum(net for month, net in self.months.items() if month <= period)

    def moved(self, day: date, net_idr: int) -> dict[str, int]:
        """`months` once a movement of `net_idr` dated `day` is counted."""
        period = period_of(day)
        return {**self.months, period: self.months.get(period, 0) + net_idr}


def _received(state: Fund, e: DonationReceived) -> Fund:
    donation = Donation(
        unit=e.unit, amount_idr=e.amount_idr, received_on=e.received_on, receipt_no=e.receipt_no
    )
    year = e.received_on.year
    return state.model_copy(
        update={
            "donated_idr": state.donated_idr + e.amount_idr,
            "last_receipt": {**state.last_receipt, year: e.receipt_no},
            "donations": {**state.donations, e.donation_id: donation},
            "months": state.moved(e.received_on, e.amount_idr),
        }
    )


def _voided(state: Fund, e: DonationVoided) -> Fund:
    voided = state.donations[e.donation_id].model_copy(update={"voided": True})
    return state.model_copy(
        update={
            "voided_idr": state.voided_idr + e.amount_idr,
            "donations": {**state.donations, e.donation_id: voided},
            "months": state.moved(e.received_on, -e.amount_idr),
        }
    )


def _procured(state: Fund, e: PackagesProcured) -> Fund:
    return state.model_copy(
        update={
            "spent_idr": state.spent_idr + e.total_idr,
            "packages_procured": state.packages_procured + e.packages,
            "months": state.moved(e.purchased_on, -e.total_idr),
        }
    )


def _spent(state: Fund, e: ExpenseRecorded) -> Fund:
    year = e.spent_on.year
    return state.model_copy(
        update={
            "spent_idr": state.spent_idr + e.amount_idr,
            "last_expense_receipt": {**state.last_expense_receipt, year: e.receipt_no},
            "months": state.moved(e.spent_on, -e.amount_idr),
        }
    )


def evolve(state: Fund, event: DomainEvent) -> Fund:
    if isinstance(event, DonationReceived):
        return _received(state, event)
    if isinstance(event, DonationVoided):
        return _voided(state, event)
    if isinstance(event, PackagesProcured):
        return _procured(state, event)
    if isinstance(event, ExpenseRecorded):
        return _spent(state, event)
    if isinstance(event, PeriodClosed):
        return state.model_copy(
            update={"closed": {**state.closed, event.period: event.closing_idr}}
        )
    return state


FUND = AggregateType[Fund](SERVICE, FUND_AGGREGATE, Fund, evolve)
