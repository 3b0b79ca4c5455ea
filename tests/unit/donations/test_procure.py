"""Procuring paket sembako: only from what the fund holds, dated no later than today."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.donations.domain import (
    Fund,
    decide_procure,
    decide_receive,
    decide_void,
    evolve,
)
from shared.contracts.donations import ProcurePackages, ReceiveDonation, VoidDonation
from shared.errors import DomainError
from shared.events.donations import PackagesProcured
from tests.unit.donations.given import RULES, TODAY, given, received, refused

pytestmark = pytest.mark.unit


def order(**overrides: Any) -> ProcurePackages:
    body = {
        "packages": 3,
        "unit_price_idr": 100_000,
        "purchased_on": "2024-03-10",
        "supplier": "Toko Makmur",
    }
    return ProcurePackages.model_validate({**body, **overrides})


def procure(fund: Fund, cmd: ProcurePackages) -> PackagesProcured:
    [event] = decide_procure(fund, cmd, RULES, procurement_id="p-new")
    assert isinstance(event, PackagesProcured)
    return event


def test_a_procurement_within_the_balance_spends_it() -> None:
    fund = given(received("d1", 500_000))
    event = procure(fund, order())
    assert event == PackagesProcured(
        procurement_id="p-new",
        packages=3,
        unit_price_idr=100_000,
        total_idr=300_000,
        purchased_on=date(2024, 3, 10),
        supplier="Toko Makmur",
        balance_after_idr=200_000,
    )
    after = evolve(fund, event)
    assert (after.spent_idr, after.packages_procured, after.balance_idr) == (300_000, 3, 200_000)


def test_spending_the_whole_balance_is_accepted() -> None:
    assert procure(given(received("d1", 300_000)), order()).balance_after_idr == 0


def test_a_procurement_beyond_the_balance_is_refused() -> None:
    error = refused(lambda: procure(given(received("d1", 299_999)), order()), "INSUFFICIENT_FUNDS")
    assert error.extra == {"balance_idr": 299_999, "required_idr": 300_000}
    refused(lambda: procure(given(), order(packages=1, unit_price_idr=1)), "INSUFFICIENT_FUNDS")


def test_a_purchase_dated_in_the_future_is_refused_naming_the_field() -> None:
    fund = given(received("d1", 500_000))
    assert procure(fund, order(purchased_on=TODAY.isoformat())).purchased_on == TODAY
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    error = refused(lambda: procure(fund, order(purchased_on=tomorrow)), "INVALID", 422)
    assert error.field == "purchased_on"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("packages", 0),
        ("packages", 1.5),
        ("packages", "2"),
        ("unit_price_idr", 0),
        ("unit_price_idr", "100000"),
        ("unit_price_idr", 99.5),
        ("purchased_on", "10/03/2024"),
        ("supplier", ""),
        ("supplier", "  "),
    ],
)
def test_bad_shapes_are_refused_naming_the_field(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        order(**{field: value})
    assert caught.value.errors()[0]["loc"] == (field,)


def test_no_sequence_of_commands_ever_takes_the_balance_below_zero() -> None:
    rng, fund, refusals = random.Random(7), Fund(), 0
    for i in range(400):
        choice = rng.choice(["give", "give", "void", "buy"])
        try:
            if choice == "give":
                cmd = ReceiveDonation(
                    unit="Desa Balerejo",
                    amount_idr=rng.randint(1, 300_000),
                    received_on=date(2024, rng.randint(1, 3), 1),
                )
                events = decide_receive(fund, cmd, RULES, donation_id=f"d{i}")
            elif choice == "void" and fund.donations:
                target = rng.choice(sorted(fund.donations))
                events = decide_void(fund, VoidDonation(reason="x"), RULES, donation_id=target)
            else:
                events = decide_procure(
                    fund, order(packages=rng.randint(1, 4)), RULES, procurement_id=f"p{i}"
                )
        except DomainError:
            refusals += 1
            continue
        for event in events:
            fund = evolve(fund, event)
            assert fund.balance_idr >= 0
            assert getattr(event, "balance_after_idr", fund.balance_idr) == fund.balance_idr
    assert fund.balance_idr == fund.donated_idr - fund.voided_idr - fund.spent_idr
    assert refusals > 0
    assert fund.spent_idr > 0
    assert fund.voided_idr > 0
    for year, last in fund.last_receipt.items():
        numbers = sorted(
            d.receipt_no for d in fund.donations.values() if d.received_on.year == year
        )
        assert numbers == list(range(1, last + 1))
