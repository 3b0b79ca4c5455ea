"""The treasurer's books: expenses spend from the fund, months close in order and stay shut."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from services.donations.domain import (
    Fund,
    decide_close,
    decide_expense,
    decide_procure,
    decide_receive,
    decide_void,
    evolve,
    parse_period,
)
from shared.contracts.donations import ProcurePackages, ReceiveDonation, RecordExpense, VoidDonation
from shared.errors import DomainError
from shared.events.donations import (
    ExpenseCategory,
    ExpenseRecorded,
    PeriodClosed,
)
from tests.unit.donations.given import RULES, given, procured, received, refused

pytestmark = pytest.mark.unit


def expense(**overrides: Any) -> RecordExpense:
    body = {
        "amount_idr": 25_000,
        "spent_on": "2024-03-05",
        "category": "TRANSPORT",
        "description": "Bensin ke Desa Balerejo",
    }
    return RecordExpense.model_validate({**body, **overrides})


def spend(fund: Fund, cmd: RecordExpense, expense_id: str = "e-new") -> ExpenseRecorded:
    [event] = decide_expense(fund, cmd, RULES, expense_id=expense_id)
    assert isinstance(event, ExpenseRecorded)
    return event


def closed(year: int, month: int, closing: int) -> PeriodClosed:
    return PeriodClosed(year=year, month=month, closing_idr=closing)


def close(fund: Fund, period: str) -> list[Any]:
    return decide_close(fund, *parse_period(period, RULES))


def test_an_expense_spends_from_the_fund_with_a_receipt_of_its_own() -> None:
    fund = given(received("d1", 100_000, receipt=1), received("d2", 10_000, receipt=2))
    event = spend(fund, expense())
    assert event == ExpenseRecorded(
        expense_id="e-new",
        amount_idr=25_000,
        spent_on=date(2024, 3, 5),
        category=ExpenseCategory.TRANSPORT,
        description="Bensin ke Desa Balerejo",
        receipt_no=1,
        balance_after_idr=85_000,
    )
    after = evolve(fund, event)
    assert (after.spent_idr, after.balance_idr, after.packages_procured) == (25_000, 85_000, 0)
    assert after.next_receipt(2024) == 3  # donations' receipts go on apart
    assert after.next_expense_receipt(2024) == 2


def test_expense_receipts_count_from_one_per_year_of_spent_on() -> None:
    fund = given(received("d1", 100_000, on=date(2023, 12, 1)))
    december = spend(fund, expense(spent_on="2023-12-20"))
    fund = evolve(fund, december)
    january = spend(fund, expense(spent_on="2024-01-02"))
    assert (december.receipt_no, january.receipt_no) == (1, 1)
    assert spend(evolve(fund, january), expense()).receipt_no == 2


def test_an_expense_beyond_the_balance_is_refused() -> None:
    fund = given(received("d1", 20_000))
    error = refused(lambda: spend(fund, expense()), "INSUFFICIENT_FUNDS")
    assert error.extra == {"balance_idr": 20_000, "required_idr": 25_000}
    assert spend(fund, expense(amount_idr=20_000)).balance_after_idr == 0


def test_an_expense_in_the_future_is_invalid() -> None:
    fund = given(received("d1", 100_000))
    error = refused(lambda: spend(fund, expense(spent_on="2024-03-16")), "INVALID", 422)
    assert error.field == "spent_on"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "BENSIN"),
        ("category", "transport"),
        ("amount_idr", 0),
        ("amount_idr", 2.5),
        ("description", ""),
        ("description", "dua\nbaris"),
        ("spent_on", "05-03-2024"),
    ],
)
def test_a_malformed_expense_names_its_field(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        expense(**{field: value})
    assert caught.value.errors()[0]["loc"][0] == field


def test_closing_a_month_records_its_closing_balance_by_business_date() -> None:
    fund = given(
        received("d1", 100_000, on=date(2024, 1, 10)),
        received("d2", 50_000, on=date(2024, 2, 3), receipt=2),
        procured("p1", 1, 30_000, 120_000),  # purchased 2024-03-02
    )
    assert close(fund, "2024-01") == [closed(2024, 1, 100_000)]
    fund = evolve(fund, closed(2024, 1, 100_000))
    assert close(fund, "2024-02") == [closed(2024, 2, 150_000)]


def test_closing_a_month_twice_appends_nothing() -> None:
    fund = given(received("d1", 100_000, on=date(2024, 1, 10)), closed(2024, 1, 100_000))
    assert close(fund, "2024-01") == []


def test_an_earlier_month_with_movements_must_be_closed_first() -> None:
    fund = given(
        received("d1", 100_000, on=date(2024, 1, 10)),
        received("d2", 50_000, on=date(2024, 2, 3), receipt=2),
    )
    error = refused(lambda: close(fund, "2024-02"), "EARLIER_PERIOD_OPEN")
    assert error.extra == {"period": "2024-01"}
    assert close(given(received("d1", 5, on=date(2024, 2, 1))), "2024-02") == [
        closed(2024, 2, 5)
    ]  # months without movements before it need no closing


@pytest.mark.parametrize("period", ["2024-13", "2024-00", "2024-3", "202403", "x", "2024-04"])
def test_a_period_is_a_month_that_has_begun(period: str) -> None:
    error = refused(lambda: parse_period(period, RULES), "INVALID", 422)
    assert error.field == "period"
    assert parse_period("2024-03", RULES) == (2024, 3)  # today is 2024-03-15


FROZEN = given(
    received("d1", 100_000, on=date(2024, 1, 10)),
    closed(2024, 1, 100_000),
)


def donated(on: str) -> Any:
    body = {"unit": "Desa Balerejo", "amount_idr": 1_000, "received_on": on}
    return decide_receive(FROZEN, ReceiveDonation.model_validate(body), RULES, donation_id="d9")


def bought(on: str) -> Any:
    body = {"packages": 1, "unit_price_idr": 1_000, "purchased_on": on, "supplier": "Toko"}
    cmd = ProcurePackages.model_validate(body)
    return decide_procure(FROZEN, cmd, RULES, procurement_id="p9")


@pytest.mark.parametrize(
    "write",
    [
        lambda: donated("2024-01-31"),
        lambda: donated("2023-12-31"),  # before the closed month: its closing would change
        lambda: bought("2024-01-02"),
        lambda: spend(FROZEN, expense(spent_on="2024-01-15")),
        lambda: decide_void(FROZEN, VoidDonation(reason="salah"), RULES, donation_id="d1"),
    ],
    ids=["donation", "donation-before", "procurement", "expense", "void"],
)
def test_a_movement_dated_in_a_closed_month_is_refused(write: Any) -> None:
    error = refused(write, "PERIOD_CLOSED")
    assert error.message_en.startswith("The books of ")


def test_a_movement_in_an_open_month_is_accepted_after_a_closing() -> None:
    assert len(donated("2024-02-01")) == 1
    assert len(bought("2024-03-01")) == 1
    assert spend(FROZEN, expense()).balance_after_idr == 75_000


def test_a_void_is_judged_by_its_donations_date() -> None:
    fund = given(
        received("d1", 100_000, on=date(2024, 1, 10)),
        received("d2", 50_000, on=date(2024, 2, 3), receipt=2),
        closed(2024, 1, 100_000),
    )
    [void] = decide_void(fund, VoidDonation(reason="salah"), RULES, donation_id="d2")
    after = evolve(fund, void)
    assert after.months == {"2024-01": 100_000, "2024-02": 0}
    with pytest.raises(DomainError):
        decide_void(fund, VoidDonation(reason="salah"), RULES, donation_id="d1")
