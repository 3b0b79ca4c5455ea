"""The donations read models, folded from the fund's events: balance, recap, public ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.db import DbConn, insert_rows, update_rows
from shared.events.donations import (
    FUND_AGGREGATE,
    SERVICE,
    DonationReceived,
    DonationVoided,
    ExpenseRecorded,
    PackagesProcured,
    PeriodClosed,
)
from shared.log.reader import StoredEvent
from shared.readside.projection import Projection
from shared.readside.tally import Combine, Tally, apply_tallies
from shared.tenancy import service_filter

Key = tuple[Any, ...]


def _tenant(stored: StoredEvent) -> tuple[str, str]:
    return stored.head.kabupaten, stored.head.kecamatan


def _month(stored: StoredEvent, day: date) -> Key:
    return (*_tenant(stored), day.year, day.month)


class _FundEvents:
    def filters(self, kab: str) -> list[str]:
        return [service_filter(kab, SERVICE, FUND_AGGREGATE)]


def _sums(*columns: str) -> dict[str, Combine]:
    return dict.fromkeys(columns, "sum")


FUND = Tally(
    "fund",
    ("kab", "kec"),
    _sums("donations", "donated_idr", "voided_idr", "spent_idr", "packages_procured"),
)


@dataclass
class FundBalance(_FundEvents):
    """`fund`: per kecamatan, donations standing, donated, voided, spent, packages."""

    name: str = "fund"
    tables: Sequence[str] = ("fund",)

    def tallies(self) -> list[Tally]:
        return [FUND.empty()]

    def fold(self, tallies: list[Tally], events: Sequence[StoredEvent]) -> None:
        (fund,) = tallies
        for stored in events:
            match stored.event:
                case DonationReceived(amount_idr=amount):
                    fund.add(_tenant(stored), 1, amount, 0, 0, 0)
                case DonationVoided(amount_idr=amount):
                    fund.add(_tenant(stored), -1, 0, amount, 0, 0)
                case PackagesProcured(total_idr=total, packages=packages):
                    fund.add(_tenant(stored), 0, 0, 0, total, packages)
                case ExpenseRecorded(amount_idr=amount):
                    fund.add(_tenant(stored), 0, 0, 0, amount, 0)

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        await apply_tallies(self, conn, events)


MONTHS = Tally(
    "monthly_recap",
    ("kab", "kec", "year", "month"),
    _sums("donations", "donated_idr", "voided_idr", "packages_procured", "spent_idr"),
)
UNITS = Tally(
    "unit_monthly", ("kab", "kec", "year", "month", "unit"), _sums("donations", "amount_idr")
)


@dataclass
class MonthlyRecap(_FundEvents):
    """`monthly_recap` and `unit_monthly`, by business month (`received_on` of a donation,
    also for its void; `purchased_on` of a procurement; `spent_on` of an expense, which
    counts in `spent_idr`)."""

    name: str = "recap"
    tables: Sequence[str] = ("monthly_recap", "unit_monthly")

    def tallies(self) -> list[Tally]:
        return [MONTHS.empty(), UNITS.empty()]

    def fold(self, tallies: list[Tally], events: Sequence[StoredEvent]) -> None:
        months, units = tallies
        for stored in events:
            match stored.event:
                case DonationReceived(received_on=day, amount_idr=amount, unit=unit):
                    months.add(_month(stored, day), 1, amount, 0, 0, 0)
                    units.add((*_month(stored, day), unit), 1, amount)
                case DonationVoided(received_on=day, amount_idr=amount, unit=unit):
                    months.add(_month(stored, day), -1, 0, amount, 0, 0)
                    units.add((*_month(stored, day), unit), -1, -amount)
                case PackagesProcured(purchased_on=day, packages=packages, total_idr=total):
                    months.add(_month(stored, day), 0, 0, 0, packages, total)
                case ExpenseRecorded(spent_on=day, amount_idr=amount):
                    months.add(_month(stored, day), 0, 0, 0, 0, amount)

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        await apply_tallies(self, conn, events)


DONATION_COLUMNS = (
    *("kab", "kec", "donation_id", "seq", "receipt_year", "receipt_no", "received_on"),
    *("unit", "amount_idr"),
)
VOID_DONATION = "voided = true, voided_on = v.voided_on"
LOT_COLUMNS = (
    *("kab", "kec", "procurement_id", "seq", "purchased_on", "packages", "unit_price_idr"),
    *("total_idr", "supplier", "balance_after_idr"),
)


def _donation_row(stored: StoredEvent, e: DonationReceived) -> Key:
    day = e.received_on
    return (
        *_tenant(stored),
        e.donation_id,
        stored.seq,
        day.year,
        e.receipt_no,
        day,
        e.unit,
        e.amount_idr,
    )


def _lot_row(stored: StoredEvent, e: PackagesProcured) -> Key:
    return (
        *_tenant(stored),
        e.procurement_id,
        stored.seq,
        e.purchased_on,
        e.packages,
        e.unit_price_idr,
        e.total_idr,
        e.supplier,
        e.balance_after_idr,
    )


@dataclass
class PublicLedger(_FundEvents):
    """`ledger_donations` and `ledger_procurements`: every entry, never a donor's name."""

    name: str = "ledger"
    tables: Sequence[str] = ("ledger_donations", "ledger_procurements")

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        donations: list[Key] = []
        voids: dict[Key, date] = {}
        lots: list[Key] = []
        for stored in events:
            match stored.event:
                case DonationReceived() as e:
                    donations.append(_donation_row(stored, e))
                case DonationVoided() as e:
                    voids[(*_tenant(stored), e.donation_id)] = e.voided_on
                case PackagesProcured() as e:
                    lots.append(_lot_row(stored, e))
        await insert_rows(conn, "ledger_donations", DONATION_COLUMNS, donations)
        await update_rows(
            conn,
            "ledger_donations",
            ("kab", "kec", "donation_id"),
            ("voided_on",),
            [(*key, day) for key, day in voids.items()],
            VOID_DONATION,
        )
        await insert_rows(conn, "ledger_procurements", LOT_COLUMNS, lots)


CASHBOOK_COLUMNS = (
    *("kab", "kec", "kind", "ref", "seq", "day", "in_idr", "out_idr", "receipt_no"),
    *("unit", "supplier", "packages", "category", "description"),
)
PERIOD_COLUMNS = ("kab", "kec", "period", "closing_idr", "seq")


def _moved(kind: str, ref: str, day: date, **what: Any) -> dict[str, Any]:
    return {"kind": kind, "ref": ref, "day": day, "in_idr": 0, "out_idr": 0, **what}


def _movement(event: object) -> dict[str, Any] | None:
    """What a movement of the fund puts in the cash book, dated by its business date (a
    void by its donation's `received_on`); None for an event that moves no money."""
    match event:
        case DonationReceived() as e:
            return _moved(
                "DONATION", e.donation_id, e.received_on, in_idr=e.amount_idr,
                receipt_no=e.receipt_no, unit=e.unit,
            )  # fmt: skip
        case DonationVoided() as e:
            return _moved(
                "VOID", e.donation_id, e.received_on, out_idr=e.amount_idr,
                receipt_no=e.receipt_no, unit=e.unit, description=e.reason,
            )  # fmt: skip
        case PackagesProcured() as e:
            return _moved(
                "PROCUREMENT", e.procurement_id, e.purchased_on, out_idr=e.total_idr,
                supplier=e.supplier, packages=e.packages,
            )  # fmt: skip
        case ExpenseRecorded() as e:
            return _moved(
                "EXPENSE", e.expense_id, e.spent_on, out_idr=e.amount_idr,
                receipt_no=e.receipt_no, category=e.category.value, description=e.description,
            )  # fmt: skip
    return None


def _entry(stored: StoredEvent) -> Key | None:
    moved = _movement(stored.event)
    if moved is None:
        return None
    kab, kec = _tenant(stored)
    row = dict.fromkeys(CASHBOOK_COLUMNS) | {"in_idr": 0, "out_idr": 0} | moved
    return tuple((row | {"kab": kab, "kec": kec, "seq": stored.seq})[c] for c in CASHBOOK_COLUMNS)


@dataclass
class CashBook(_FundEvents):
    """`cashbook`: every movement of the fund with what it is (never a donor's name), in
    the order written; `periods`: the closed months and their closing balances."""

    name: str = "cashbook"
    tables: Sequence[str] = ("cashbook", "periods")

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        entries: list[Key] = []
        periods: list[Key] = []
        for stored in events:
            if isinstance(stored.event, PeriodClosed):
                e = stored.event
                periods.append((*_tenant(stored), e.period, e.closing_idr, stored.seq))
            elif (entry := _entry(stored)) is not None:
                entries.append(entry)
        await insert_rows(conn, "cashbook", CASHBOOK_COLUMNS, entries)
        await insert_rows(conn, "periods", PERIOD_COLUMNS, periods)


def read_models() -> list[Projection]:
    return [FundBalance(), MonthlyRecap(), PublicLedger(), CashBook()]
