"""The fund: its state, the rules that guard it (decide) and how its events change it (evolve)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.clock import jakarta_today
from shared.contracts.donations import ProcurePackages, ReceiveDonation, VoidDonation
from shared.errors import DomainError, InvalidInput
from shared.events.base import Clear, DomainEvent
from shared.events.donations import (
    FUND_AGGREGATE,
    SERVICE,
    DonationReceived,
    DonationVoided,
    PackagesProcured,
)
from shared.log.aggregate import AggregateType

DEFAULT_CEILING_IDR = 100_000_000
_NOT_A_LETTER = re.compile(r"[\W_]+")


def rupiah(amount: int) -> str:
    """`150000` -> `Rp 150.000`."""
    return f"Rp {amount:,}".replace(",", ".")


class InsufficientFunds(DomainError):
    def __init__(self, balance_idr: int, required_idr: int) -> None:
        super().__init__(
            "INSUFFICIENT_FUNDS",
            f"Saldo kas tidak cukup: saldo {rupiah(balance_idr)},"
            f" dibutuhkan {rupiah(required_idr)}",
            f"Insufficient funds: the balance is {rupiah(balance_idr)},"
            f" {rupiah(required_idr)} is needed",
            extra={"balance_idr": balance_idr, "required_idr": required_idr},
        )


class AlreadyVoided(DomainError):
    def __init__(self, donation_id: str) -> None:
        super().__init__(
            "ALREADY_VOIDED",
            f"Donasi {donation_id} sudah dibatalkan",
            f"Donation {donation_id} was already voided",
        )


class DonationNotFound(DomainError):
    status = 404

    def __init__(self, donation_id: str) -> None:
        super().__init__(
            "NOT_FOUND",
            f"Donasi {donation_id} tidak ditemukan",
            f"Donation {donation_id} not found",
        )


class Donation(BaseModel):
    """What the fund remembers of one donation: enough to void it."""

    model_config = ConfigDict(frozen=True)

    unit: str
    amount_idr: int
    received_on: date
    receipt_no: int
    voided: bool = False


class Fund(BaseModel):
    """The kecamatan's fund: totals, the last receipt number per year, its donations."""

    model_config = ConfigDict(frozen=True)

    donated_idr: int = 0
    voided_idr: int = 0
    spent_idr: int = 0
    packages_procured: int = 0
    last_receipt: dict[int, int] = Field(default_factory=dict)
    donations: dict[str, Donation] = Field(default_factory=dict)

    @property
    def balance_idr(self) -> int:
        return self.donated_idr - self.voided_idr - self.spent_idr

    def next_receipt(self, year: int) -> int:
        return self.last_receipt.get(year, 0) + 1


@dataclass(frozen=True)
class Rules:
    """What the rules need from outside the fund: today's date, the units, the ceiling."""

    today: date
    units: tuple[str, ...]
    ceiling_idr: int = DEFAULT_CEILING_IDR

    @classmethod
    def at(cls, now: datetime, units: tuple[str, ...], ceiling_idr: int) -> Rules:
        """Rules as of `now`, with "today" judged in Asia/Jakarta."""
        return cls(jakarta_today(now), units, ceiling_idr)


def is_anonymous(donor: str | None) -> bool:
    """No donor, a blank one or "hamba Allah" in any case, spacing or punctuation."""
    if donor is None:
        return True
    return _NOT_A_LETTER.sub("", donor.casefold()) in ("", "hambaallah")


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def match_unit(units: tuple[str, ...], given: str) -> str | None:
    """The configured spelling of `given`, compared without regard to case or spacing."""
    return next((u for u in units if _key(u) == _key(given)), None)


def _not_future(field: str, day: date, rules: Rules) -> None:
    if day > rules.today:
        raise InvalidInput(
            field,
            f"Tanggal {day.isoformat()} belum terjadi (hari ini {rules.today.isoformat()} WIB)",
            f"Date {day.isoformat()} is in the future (today is {rules.today.isoformat()}"
            " in Asia/Jakarta)",
        )


def validate_donation(cmd: ReceiveDonation, rules: Rules) -> str:
    """Check what only the domain can see; answer the unit as the kecamatan spells it."""
    unit = match_unit(rules.units, cmd.unit)
    if unit is None:
        raise InvalidInput(
            "unit",
            f"Unit '{cmd.unit}' bukan salah satu unit kecamatan ini",
            f"Unit '{cmd.unit}' is not one of the kecamatan's units",
        )
    if cmd.amount_idr > rules.ceiling_idr:
        raise InvalidInput(
            "amount_idr",
            f"Jumlah donasi melebihi batas {rupiah(rules.ceiling_idr)}",
            f"The amount exceeds the ceiling of {rupiah(rules.ceiling_idr)}",
        )
    _not_future("received_on", cmd.received_on, rules)
    return unit


def decide_receive(
    state: Fund, cmd: ReceiveDonation, rules: Rules, *, donation_id: str
) -> list[DomainEvent]:
    """The gift as the fund's next receipt. A named donor is marked personal: the command
    runner seals the name under the donation's own key before the append."""
    unit = validate_donation(cmd, rules)
    anonymous = is_anonymous(cmd.donor)
    donor = None if anonymous or cmd.donor is None else Clear(" ".join(cmd.donor.split()))
    return [
        DonationReceived(
            donation_id=donation_id,
            unit=unit,
            amount_idr=cmd.amount_idr,
            received_on=cmd.received_on,
            receipt_no=state.next_receipt(cmd.received_on.year),
            anonymous=anonymous,
            donor_sealed=donor,
            balance_after_idr=state.balance_idr + cmd.amount_idr,
        )
    ]


def decide_void(
    state: Fund, cmd: VoidDonation, rules: Rules, *, donation_id: str
) -> list[DomainEvent]:
    donation = state.donations.get(donation_id)
    if donation is None:
        raise DonationNotFound(donation_id)
    if donation.voided:
        raise AlreadyVoided(donation_id)
    if donation.amount_idr > state.balance_idr:
        raise InsufficientFunds(state.balance_idr, donation.amount_idr)
    return [
        DonationVoided(
            donation_id=donation_id,
            reason=cmd.reason,
            voided_on=rules.today,
            unit=donation.unit,
            amount_idr=donation.amount_idr,
            received_on=donation.received_on,
            receipt_no=donation.receipt_no,
            balance_after_idr=state.balance_idr - donation.amount_idr,
        )
    ]


def decide_procure(
    state: Fund, cmd: ProcurePackages, rules: Rules, *, procurement_id: str
) -> list[DomainEvent]:
    _not_future("purchased_on", cmd.purchased_on, rules)
    total = cmd.packages * cmd.unit_price_idr
    if total > state.balance_idr:
        raise InsufficientFunds(state.balance_idr, total)
    return [
        PackagesProcured(
            procurement_id=procurement_id,
            packages=cmd.packages,
            unit_price_idr=cmd.unit_price_idr,
            total_idr=total,
            purchased_on=cmd.purchased_on,
            supplier=cmd.supplier,
            balance_after_idr=state.balance_idr - total,
        )
    ]


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
        }
    )


def evolve(state: Fund, event: DomainEvent) -> Fund:
    if isinstance(event, DonationReceived):
        return _received(state, event)
    if isinstance(event, DonationVoided):
        voided = state.donations[event.donation_id].model_copy(update={"voided": True})
        return state.model_copy(
            update={
                "voided_idr": state.voided_idr + event.amount_idr,
                "donations": {**state.donations, event.donation_id: voided},
            }
        )
    if isinstance(event, PackagesProcured):
        return state.model_copy(
            update={
                "spent_idr": state.spent_idr + event.total_idr,
                "packages_procured": state.packages_procured + event.packages,
            }
        )
    return state


FUND = AggregateType[Fund](SERVICE, FUND_AGGREGATE, Fund, evolve)
