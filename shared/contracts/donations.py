"""The donations service's commands, queries and replies, and its public operations."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from shared.contracts.base import (
    FREE_TEXT,
    ONE_LINE,
    Command,
    Int,
    IsoDate,
    Operation,
    Query,
    QueryInt,
    Reply,
    Text,
)
from shared.events.donations import SERVICE, ExpenseCategory

Rupiah = Annotated[Int, Field(ge=1)]
Count = Annotated[Int, Field(ge=1)]
QueryYear = Annotated[QueryInt, Field(ge=1900, le=9999)]
TREASURY = frozenset({"admin", "camat", "bendahara"})
"""Who keeps the books: the kecamatan's treasurer (bendahara), its camat, an admin."""
CLOSERS = frozenset({"admin", "camat"})
"""Who closes a month of the books: never the bendahara who kept them."""


class ReceiveDonation(Command):
    """Record one gift to the fund; `donor` absent or "hamba Allah" means anonymous."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "donation_receive"

    unit: Text
    amount_idr: Rupiah
    received_on: IsoDate
    donor: Annotated[str, StringConstraints(max_length=200), ONE_LINE] | None = None


class VoidDonation(Command):
    """Reverse a recorded donation (the `{id}` of the path), saying why."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "donation_void"

    reason: Annotated[str, StringConstraints(min_length=1, max_length=500), FREE_TEXT]


class ProcurePackages(Command):
    """Spend from the fund on a lot of paket sembako."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "procure"

    packages: Count
    unit_price_idr: Rupiah
    purchased_on: IsoDate
    supplier: Text


class RecordExpense(Command):
    """Pay a cost of the programme other than packages out of the fund."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "expense_record"

    amount_idr: Rupiah
    spent_on: IsoDate
    category: ExpenseCategory
    description: Annotated[str, StringConstraints(min_length=1, max_length=300), ONE_LINE]


class ClosePeriod(Command):
    """Close the month of the path (`YYYY-MM`): its movements become final."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "period_close"


class DonationReceipt(Reply):
    donation_id: str
    receipt_no: int


class DonationRef(Reply):
    donation_id: str


class ProcurementRef(Reply):
    procurement_id: str


class ExpenseReceipt(Reply):
    expense_id: str
    receipt_no: int


class PeriodClosing(Reply):
    period: str
    closing_idr: int


class FundQuery(Query):
    """The fund's totals and balance, over every year."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "fund"


class FundFigures(Reply):
    donated_idr: int
    voided_idr: int
    spent_idr: int
    balance_idr: int
    packages_procured: int


class YearQuery(Query):
    """`year`: a calendar year; absent means this year in Jakarta."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = ""

    year: QueryYear | None = None


class AnyYearQuery(Query):
    """`year`: a calendar year; absent means every year."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = ""

    year: QueryYear | None = None


class SummaryQuery(YearQuery):
    rpc: ClassVar[str] = "summary"


class DonationsSummary(Reply):
    donations_idr: int
    spent_idr: int


class RecapQuery(YearQuery):
    rpc: ClassVar[str] = "recap"


class RecapMonth(Reply):
    month: int
    donations: int
    donations_idr: int
    voided_idr: int
    units_taking_part: int
    packages_procured: int
    spent_idr: int
    units_total: int
    closing_balance_idr: int


class Recap(Reply):
    year: int
    rows: list[RecapMonth]


class UnitsQuery(AnyYearQuery):
    rpc: ClassVar[str] = "units"


class UnitTotals(Reply):
    unit: str
    donations: int
    amount_idr: int
    months_taking_part: int


class Units(Reply):
    year: int | None
    units: list[UnitTotals]


class TransparencyQuery(AnyYearQuery):
    rpc: ClassVar[str] = "transparency"


class LedgerDonation(Reply):
    receipt_no: int
    received_on: date
    unit: str
    amount_idr: int
    voided: bool
    voided_on: date | None


class LedgerProcurement(Reply):
    purchased_on: date
    packages: int
    unit_price_idr: int
    total_idr: int
    supplier: str
    balance_after_idr: int


class DonationsQuery(AnyYearQuery):
    """The donations recorded, with their ids (the dashboard's list to void one from); not a
    path of the public contract."""

    rpc: ClassVar[str] = "donations"


class DonationRow(Reply):
    donation_id: str
    receipt_no: int
    received_on: date
    unit: str
    amount_idr: int
    voided: bool


class DonationList(Reply):
    year: int | None
    donations: list[DonationRow]


class Transparency(Reply):
    year: int | None
    fund: FundFigures
    donations: list[LedgerDonation]
    procurements: list[LedgerProcurement]


class CashbookQuery(Query):
    """`year` and `month`: the month of the cash book; absent means this one in Jakarta."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "cashbook"

    year: QueryYear | None = None
    month: Annotated[QueryInt, Field(ge=1, le=12)] | None = None


class CashbookDetailQuery(CashbookQuery):
    """The cash book with what each entry is (receipt, unit, supplier, category,
    description): the dashboard's page and the SPJ; not a path of the public contract."""

    rpc: ClassVar[str] = "cashbook_detail"


EntryKind = Literal["DONATION", "VOID", "PROCUREMENT", "EXPENSE"]


class CashbookEntry(Reply):
    date: date
    kind: EntryKind
    ref: str
    in_idr: int
    out_idr: int
    balance_idr: int


class Cashbook(Reply):
    opening_idr: int
    entries: list[CashbookEntry]
    closing_idr: int


class CashbookLine(CashbookEntry):
    """An entry and what it is: a donation's unit and receipt, a lot's supplier and
    packages, an expense's category, description and receipt. Never a donor's name."""

    receipt_no: int | None = None
    unit: str | None = None
    supplier: str | None = None
    packages: int | None = None
    category: ExpenseCategory | None = None
    description: str | None = None


class CashbookDetail(Reply):
    year: int
    month: int
    closed: bool
    opening_idr: int
    entries: list[CashbookLine]
    closing_idr: int

    def public(self) -> Cashbook:
        """The contract's cash book: the entries' six fields."""
        fields = set(CashbookEntry.model_fields)
        entries = [CashbookEntry.model_validate(e.model_dump(include=fields)) for e in self.entries]
        return Cashbook(opening_idr=self.opening_idr, entries=entries, closing_idr=self.closing_idr)


class PeriodsQuery(Query):
    """The months of the books that are closed."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "periods"


class Periods(Reply):
    closed: list[str]


OPERATIONS = (
    Operation(
        "POST",
        "/donations",
        ReceiveDonation,
        DonationReceipt,
        "Receive a donation",
        "receiveDonation",
        status=201,
        writers=TREASURY,
    ),
    Operation(
        "POST",
        "/donations/{id}/void",
        VoidDonation,
        DonationRef,
        "Void a donation",
        "voidDonation",
        writers=TREASURY,
    ),
    Operation(
        "POST",
        "/procurements",
        ProcurePackages,
        ProcurementRef,
        "Procure sembako packages",
        "procurePackages",
        status=201,
        writers=TREASURY,
    ),
    Operation("GET", "/fund", FundQuery, FundFigures, "The fund's totals and balance", "getFund"),
    Operation(
        "POST",
        "/expenses",
        RecordExpense,
        ExpenseReceipt,
        "Record an expense paid from the fund",
        "recordExpense",
        status=201,
        writers=TREASURY,
    ),
    Operation(
        "GET", "/cashbook", CashbookQuery, Cashbook, "A month of the cash book", "getCashbook"
    ),
    Operation(
        "POST",
        "/periods/{id}/close",
        ClosePeriod,
        PeriodClosing,
        "Close a month (`{id}` = YYYY-MM) of the books",
        "closePeriod",
        writers=CLOSERS,
    ),
    Operation("GET", "/periods", PeriodsQuery, Periods, "The closed months", "getPeriods"),
)
