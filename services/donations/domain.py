"""The fund: its state, the rules that guard it (decide) and how its events change it (evolve)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from services.donations.state import FUND, Donation, Fund, evolve, period_of
from shared.clock import jakarta_today
from shared.contracts.donations import (
    ProcurePackages,
    ReceiveDonation,
    RecordExpense,
    VoidDonation,
)
from shared.errors import DomainError, InvalidInput
from shared.events.base import Clear, DomainEvent
from shared.events.donations import (
    DonationReceived,
    DonationVoided,
    ExpenseRecorded,
    PackagesProcured,
    PeriodClosed,
)

__all__ = ["FUND", "Donation", "Fund", "evolve"]

DEFAULT_CEILING_IDR = 100_000_000
_NOT_A_LETTER = re.compile(r"[\W_]+")
_PERIOD = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})")


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


class PeriodIsClosed(DomainError):
    def __init__(self, period: str, closed_through: str) -> None:
        super().__init__(
            "PERIOD_CLOSED",
            f"Buku kas bulan {period} sudah ditutup (tutup buku sampai {closed_through});"
            " catat koreksi di bulan yang masih terbuka",
            f"The books of {period} are closed (closed through {closed_through});"
            " record a correction in an open month",
            extra={"period": period},
        )


class EarlierPeriodOpen(DomainError):
    def __init__(self, earlier: str) -> None:
        super().__init__(
            "EARLIER_PERIOD_OPEN",
            f"Bulan {earlier} punya transaksi dan belum ditutup; tutup bulan itu dulu",
            f"{earlier} has movements and is still open; close it first",
            extra={"period": earlier},
        )


class DonationNotFound(DomainError):
    status = 404

    def __init__(self, donation_id: str) -> None:
        super().__init__(
            "NOT_FOUND",
            f"Donasi {donation_id} tidak ditemukan",
            f"Donation {donation_id} not found",
        )


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


def check_open(state: Fund, day: date) -> None:
    """A movement dated `day` goes into an open month: not one closed, nor one before the
    latest closed month (its closing would change)."""
    through = state.closed_through
    if through is not None and period_of(day) <= through:
        raise PeriodIsClosed(period_of(day), through)


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


def _spend(state: Fund, amount_idr: int, day: date) -> None:
    """Money leaves the fund on `day`: in an open month, never beyond the balance."""
    check_open(state, day)
    if amount_idr > state.balance_idr:
        raise InsufficientFunds(state.balance_idr, amount_idr)


def decide_receive(
    state: Fund, cmd: ReceiveDonation, rules: Rules, *, donation_id: str
) -> list[DomainEvent]:
    """The gift as the fund's next receipt. A named donor is marked personal: the command
    runner seals the name under the donation's own key before the append."""
    unit = validate_donation(cmd, rules)
    check_open(state, cmd.received_on)
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
    _spend(state, donation.amount_idr, donation.received_on)
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
    _spend(state, total, cmd.purchased_on)
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


def decide_expense(
    state: Fund, cmd: RecordExpense, rules: Rules, *, expense_id: str
) -> list[DomainEvent]:
    """A cost other than packages, paid like a procurement, with its own receipt count."""
    _not_future("spent_on", cmd.spent_on, rules)
    _spend(state, cmd.amount_idr, cmd.spent_on)
    return [
        ExpenseRecorded(
            expense_id=expense_id,
            amount_idr=cmd.amount_idr,
            spent_on=cmd.spent_on,
            category=cmd.category,
            description=cmd.description,
            receipt_no=state.next_expense_receipt(cmd.spent_on.year),
            balance_after_idr=state.balance_idr - cmd.amount_idr,
        )
    ]


def parse_period(text: str, rules: Rules) -> tuple[int, int]:
    """`YYYY-MM` of a month that has begun (Jakarta), else 422 `period`."""
    match = _PERIOD.fullmatch(text)
    if match is None or not 1 <= int(match["month"]) <= 12:
        raise InvalidInput(
            "period",
            f"Periode '{text[:20]}' bukan bulan YYYY-MM",
            f"Period '{text[:20]}' is not a month YYYY-MM",
        )
    year, month = int(match["year"]), int(match["month"])
    if date(year, month, 1) > rules.today:
        raise InvalidInput(
            "period",
            f"Bulan {text} belum dimulai (hari ini {rules.today.isoformat()} WIB)",
            f"{text} has not begun (today is {rules.today.isoformat()} in Asia/Jakarta)",
        )
    return year, month


def decide_close(state: Fund, year: int, month: int) -> list[DomainEvent]:
    """Freeze a month at its closing balance, once every earlier month that has movements
    is closed; a month closed already appends nothing (its first answer stands)."""
    period = f"{year:04d}-{month:02d}"
    if period in state.closed:
        return []
    earlier = sorted(m for m in state.months if m < period and m not in state.closed)
    if earlier:
        raise EarlierPeriodOpen(earlier[0])
    return [PeriodClosed(year=year, month=month, closing_idr=state.closing_of(period))]
