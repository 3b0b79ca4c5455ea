"""The synthetic fund and distribution ledger of one kecamatan: balances, lots, rounds."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from shared.crypto import seal_text
from shared.events.base import DomainEvent
from shared.events.distribution import (
    PackageDistributed,
    Relation,
    RoundClosed,
    RoundOpened,
    StockAdjusted,
    ledger_ref,
)
from shared.events.donations import (
    DonationReceived,
    DonationVoided,
    ExpenseCategory,
    ExpenseRecorded,
    PackagesProcured,
    PeriodClosed,
    fund_ref,
)
from shared.events.scheduler import ActivityHeld
from shared.tenancy import AggregateRef, Tenant

PACKAGE_PRICE_IDR = 100_000
TRANSPORT_IDR = 15_000
DONOR_KEY = bytes(32)


class Eligible(Protocol):
    household_id: str

    def eligible_on(self, day: date) -> bool: ...


@dataclass
class Batch:
    """Events for one aggregate, appended together, on a business date."""

    ref: AggregateRef
    events: list[DomainEvent]
    on: date


@dataclass
class Lot:
    procurement_id: str
    remaining: int
    unit_price_idr: int


@dataclass
class Fund:
    """Donations with gap-free receipts per year, rare voids, a monthly procurement, a
    monthly transport expense, and the month before closed once a month begins."""

    tenant: Tenant
    rng: random.Random
    balance: int = 0
    receipts: dict[int, int] = field(default_factory=dict)
    expense_receipts: dict[int, int] = field(default_factory=dict)
    lots: list[Lot] = field(default_factory=list)
    open_month: date | None = None

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def month(self, first: date, units: list[str]) -> list[Batch]:
        events: list[DomainEvent] = self._close(first)
        packages = min(self.balance // PACKAGE_PRICE_IDR, 40)
        if packages:
            events.append(self._procure(first, packages))
        gifts = sorted(
            (first + timedelta(days=self.rng.randint(1, 27)), unit)
            for unit in units
            for _ in range(self.rng.randint(1, 3))
        )
        received = [self._receive(day, unit) for day, unit in gifts]
        events += received
        if received and self.rng.random() < 0.3:
            events += self._void(self.rng.choice(received), first + timedelta(days=27))
        events += self._spend(first + timedelta(days=27))
        return [Batch(fund_ref(self.tenant), events, first)]

    def _close(self, first: date) -> list[DomainEvent]:
        """The month before `first`, closed at the balance its movements left (every one of
        them is dated inside it)."""
        last, self.open_month = self.open_month, first
        if last is None:
            return []
        return [PeriodClosed(year=last.year, month=last.month, closing_idr=self.balance)]

    def _spend(self, day: date) -> list[DomainEvent]:
        if self.balance < TRANSPORT_IDR:
            return []
        self.balance -= TRANSPORT_IDR
        self.expense_receipts[day.year] = self.expense_receipts.get(day.year, 0) + 1
        return [
            ExpenseRecorded(
                expense_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.tenant.kec}/{day}")),
                amount_idr=TRANSPORT_IDR,
                spent_on=day,
                category=ExpenseCategory.TRANSPORT,
                description="Transport ke desa tuan rumah",
                receipt_no=self.expense_receipts[day.year],
                balance_after_idr=self.balance,
            )
        ]

    def _procure(self, day: date, packages: int) -> PackagesProcured:
        total = packages * PACKAGE_PRICE_IDR
        self.balance -= total
        lot = Lot(self.uid(), packages, PACKAGE_PRICE_IDR)
        self.lots.append(lot)
        return PackagesProcured(
            procurement_id=lot.procurement_id,
            packages=packages,
            unit_price_idr=PACKAGE_PRICE_IDR,
            total_idr=total,
            purchased_on=day,
            supplier="Toko Sembako Makmur",
            balance_after_idr=self.balance,
        )

    def _receive(self, day: date, unit: str) -> DonationReceived:
        amount = self.rng.choice([10_000, 20_000, 25_000, 50_000, 50_000, 100_000, 150_000])
        self.balance += amount
        self.receipts[day.year] = self.receipts.get(day.year, 0) + 1
        donation_id = self.uid()
        anonymous = self.rng.random() < 0.4
        return DonationReceived(
            donation_id=donation_id,
            unit=unit,
            amount_idr=amount,
            received_on=day,
            receipt_no=self.receipts[day.year],
            anonymous=anonymous,
            donor_sealed=None if anonymous else seal_text(DONOR_KEY, "Bapak Camat", donation_id),
            balance_after_idr=self.balance,
        )

    def _void(self, gift: DonationReceived, day: date) -> list[DomainEvent]:
        if gift.amount_idr > self.balance:
            return []
        self.balance -= gift.amount_idr
        return [
            DonationVoided(
                donation_id=gift.donation_id,
                reason="Salah catat",
                voided_on=day,
                unit=gift.unit,
                amount_idr=gift.amount_idr,
                received_on=gift.received_on,
                receipt_no=gift.receipt_no,
                balance_after_idr=self.balance,
            )
        ]


@dataclass
class Ledger:
    """A round per held charity Friday for its host desa; packages first in, first out."""

    tenant: Tenant
    rng: random.Random
    rounds: set[tuple[str, str]] = field(default_factory=set)
    bast: dict[int, int] = field(default_factory=dict)
    """The last BAST number of each year: gap-free, as the service numbers them."""

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def month(
        self,
        first: date,
        charity: list[ActivityHeld],
        lots: list[Lot],
        households: Mapping[str, Sequence[Eligible]],
    ) -> list[Batch]:
        month = f"{first.year:04d}-{first.month:02d}"
        events: list[DomainEvent] = []
        for held in charity:
            desa = held.host_desa
            if desa is None or (desa, month) in self.rounds:
                continue
            self.rounds.add((desa, month))
            events += self._round(desa, month, held.held_on, lots, households.get(desa, []))
        return [Batch(ledger_ref(self.tenant), events, first)] if events else []

    def _round(
        self, desa: str, month: str, day: date, lots: list[Lot], people: Sequence[Eligible]
    ) -> list[DomainEvent]:
        round_id, quota = self.uid(), self.rng.randint(10, 20)
        events: list[DomainEvent] = [
            RoundOpened(round_id=round_id, desa=desa, month=month, quota=quota)
        ]
        eligible = [h for h in people if h.eligible_on(day)]
        self.rng.shuffle(eligible)
        for household in eligible[:quota]:
            lot = next((lot for lot in lots if lot.remaining), None)
            if lot is None:
                break
            lot.remaining -= 1
            events.append(
                PackageDistributed(
                    package_id=self.uid(),
                    round_id=round_id,
                    household_id=household.household_id,
                    desa=desa,
                    month=month,
                    distributed_on=day,
                    procurement_id=lot.procurement_id,
                    value_idr=lot.unit_price_idr,
                    bast_no=self._bast(day),
                    relation=Relation.SENDIRI,
                )
            )
        packages = len(events) - 1
        events.append(RoundClosed(round_id=round_id, desa=desa, month=month, packages=packages))
        return events + self._write_off(day, lots)

    def _bast(self, day: date) -> str:
        self.bast[day.year] = self.bast.get(day.year, 0) + 1
        return f"BAST/{self.tenant.kec}/{day.year}/{self.bast[day.year]}"

    def _write_off(self, day: date, lots: list[Lot]) -> list[DomainEvent]:
        """Now and then a damaged package written off, from the oldest lot."""
        lot = next((lot for lot in lots if lot.remaining), None)
        if lot is None or self.rng.random() >= 0.1:
            return []
        lot.remaining -= 1
        left = sum(lot.remaining for lot in lots)
        return [
            StockAdjusted(
                adjustment_id=self.uid(),
                packages=-1,
                reason="Kemasan rusak",
                adjusted_on=day,
                in_stock=left,
            )
        ]
