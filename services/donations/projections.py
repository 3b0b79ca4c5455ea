"""The donations read models, folded from the fund's events: balance, recap, public ledger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.db import DbConn, insert_rows, upsert_rows
from shared.events.donations import (
    FUND_AGGREGATE,
    SERVICE,
    DonationReceived,
    DonationVoided,
    PackagesProcured,
)
from shared.logreader import StoredEvent
from shared.projection import Projection
from shared.tenancy import service_filter

Key = tuple[Any, ...]
Deltas = dict[Key, list[int]]


def _add(acc: Deltas, key: Key, *deltas: int) -> None:
    row = acc.setdefault(key, [0] * len(deltas))
    for i, delta in enumerate(deltas):
        row[i] += delta


def _tenant(stored: StoredEvent) -> tuple[str, str]:
    return stored.envelope.kabupaten, stored.envelope.kecamatan


def _month(stored: StoredEvent, day: date) -> Key:
    return (*_tenant(stored), day.year, day.month)


class _FundEvents:
    def filters(self, kab: str) -> list[str]:
        return [service_filter(kab, SERVICE, FUND_AGGREGATE)]


FUND_COLUMNS = (
    *("kab", "kec", "donations", "donated_idr", "voided_idr", "spent_idr"),
    "packages_procured",
)
ADD_TO_FUND = """
on conflict (kab, kec) do update set
  donations = fund.donations + excluded.donations,
  donated_idr = fund.donated_idr + excluded.donated_idr,
  voided_idr = fund.voided_idr + excluded.voided_idr,
  spent_idr = fund.spent_idr + excluded.spent_idr,
  packages_procured = fund.packages_procured + excluded.packages_procured
"""


@dataclass
class FundBalance(_FundEvents):
    """`fund`: per kecamatan, donations standing, donated, voided, spent, packages."""

    name: str = "fund"
    tables: Sequence[str] = ("fund",)

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        acc: Deltas = {}
        for stored in events:
            match stored.event:
                case DonationReceived(amount_idr=amount):
                    _add(acc, _tenant(stored), 1, amount, 0, 0, 0)
                case DonationVoided(amount_idr=amount):
                    _add(acc, _tenant(stored), -1, 0, amount, 0, 0)
                case PackagesProcured(total_idr=total, packages=packages):
                    _add(acc, _tenant(stored), 0, 0, 0, total, packages)
        await upsert_rows(
            conn, "fund", FUND_COLUMNS, [(*k, *v) for k, v in acc.items()], ADD_TO_FUND
        )


MONTH_COLUMNS = (
    *("kab", "kec", "year", "month", "donations", "donated_idr", "voided_idr"),
    *("packages_procured", "spent_idr"),
)
ADD_TO_MONTH = """
on conflict (kab, kec, year, month) do update set
  donations = monthly_recap.donations + excluded.donations,
  donated_idr = monthly_recap.donated_idr + excluded.donated_idr,
  voided_idr = monthly_recap.voided_idr + excluded.voided_idr,
  packages_procured = monthly_recap.packages_procured + excluded.packages_procured,
  spent_idr = monthly_recap.spent_idr + excluded.spent_idr
"""

UNIT_COLUMNS = ("kab", "kec", "year", "month", "unit", "donations", "amount_idr")
ADD_TO_UNIT = """
on conflict (kab, kec, year, month, unit) do update set
  donations = unit_monthly.donations + excluded.donations,
  amount_idr = unit_monthly.amount_idr + excluded.amount_idr
"""


@dataclass
class MonthlyRecap(_FundEvents):
    """`monthly_recap` and `unit_monthly`, by business month (`received_on` of a donation,
    also for its void; `purchased_on` of a procurement)."""

    name: str = "recap"
    tables: Sequence[str] = ("monthly_recap", "unit_monthly")

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        months: Deltas = {}
        units: Deltas = {}
        for stored in events:
            match stored.event:
                case DonationReceived(received_on=day, amount_idr=amount, unit=unit):
                    _add(months, _month(stored, day), 1, amount, 0, 0, 0)
                    _add(units, (*_month(stored, day), unit), 1, amount)
                case DonationVoided(received_on=day, amount_idr=amount, unit=unit):
                    _add(months, _month(stored, day), -1, 0, amount, 0, 0)
                    _add(units, (*_month(stored, day), unit), -1, -amount)
                case PackagesProcured(purchased_on=day, packages=packages, total_idr=total):
                    _add(months, _month(stored, day), 0, 0, 0, packages, total)
        month_rows = [(*k, *v) for k, v in months.items()]
        await upsert_rows(conn, "monthly_recap", MONTH_COLUMNS, month_rows, ADD_TO_MONTH)
        unit_rows = [(*k, *v) for k, v in units.items()]
        await upsert_rows(conn, "unit_monthly", UNIT_COLUMNS, unit_rows, ADD_TO_UNIT)


DONATION_COLUMNS = (
    *("kab", "kec", "donation_id", "seq", "receipt_year", "receipt_no", "received_on"),
    *("unit", "amount_idr"),
)
VOID_DONATION = """
update ledger_donations set voided = true, voided_on = $4
where kab = $1 and kec = $2 and donation_id = $3
"""
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
        voids: list[Key] = []
        lots: list[Key] = []
        for stored in events:
            match stored.event:
                case DonationReceived() as e:
                    donations.append(_donation_row(stored, e))
                case DonationVoided() as e:
                    voids.append((*_tenant(stored), e.donation_id, e.voided_on))
                case PackagesProcured() as e:
                    lots.append(_lot_row(stored, e))
        await insert_rows(conn, "ledger_donations", DONATION_COLUMNS, donations)
        await conn.executemany(VOID_DONATION, voids)
        await insert_rows(conn, "ledger_procurements", LOT_COLUMNS, lots)


def read_models() -> list[Projection]:
    return [FundBalance(), MonthlyRecap(), PublicLedger()]
