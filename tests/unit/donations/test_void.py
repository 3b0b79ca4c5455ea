"""Voiding donations: a reversing entry, once, never below zero."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from services.donations.domain import Fund, decide_void, evolve
from shared.contracts.donations import VoidDonation
from shared.events.donations import DonationVoided
from tests.unit.donations.given import RULES, TODAY, given, procured, received, refused

pytestmark = pytest.mark.unit

WRONG_ENTRY = VoidDonation(reason="salah input nominal")


def void(fund: Fund, donation_id: str) -> DonationVoided:
    [event] = decide_void(fund, WRONG_ENTRY, RULES, donation_id=donation_id)
    assert isinstance(event, DonationVoided)
    return event


def test_a_void_reverses_the_donation_and_carries_what_consumers_need() -> None:
    fund = given(
        received("d1", 30_000, unit="Kantor Kecamatan"),
        received("d2", 20_000, receipt=2, balance=50_000),
    )
    assert void(fund, "d1") == DonationVoided(
        donation_id="d1",
        reason="salah input nominal",
        voided_on=TODAY,
        unit="Kantor Kecamatan",
        amount_idr=30_000,
        received_on=date(2024, 3, 1),
        receipt_no=1,
        balance_after_idr=20_000,
    )


def test_the_voided_donation_stays_recorded_and_leaves_the_balance() -> None:
    fund = given(received("d1", 30_000))
    after = evolve(fund, void(fund, "d1"))
    assert (after.donated_idr, after.voided_idr, after.balance_idr) == (30_000, 30_000, 0)
    assert after.donations["d1"].voided
    assert fund.donations["d1"].voided is False


def test_voiding_twice_is_refused() -> None:
    fund = given(received("d1", 30_000))
    fund = evolve(fund, void(fund, "d1"))
    refused(lambda: void(fund, "d1"), "ALREADY_VOIDED")


def test_voiding_an_unknown_donation_is_not_found() -> None:
    refused(lambda: void(given(received("d1", 30_000)), "nope"), "NOT_FOUND", 404)


def test_a_void_that_would_take_the_fund_below_zero_is_refused() -> None:
    fund = given(received("d1", 150_000), procured("p1", 1, 100_000, balance=50_000))
    error = refused(lambda: void(fund, "d1"), "INSUFFICIENT_FUNDS")
    assert error.extra == {"balance_idr": 50_000, "required_idr": 150_000}


def test_a_void_down_to_exactly_zero_is_accepted() -> None:
    fund = given(
        received("d1", 100_000),
        received("d2", 50_000, receipt=2, balance=150_000),
        procured("p1", 1, 100_000, balance=50_000),
    )
    assert void(fund, "d2").balance_after_idr == 0


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_void_needs_a_reason(reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        VoidDonation.model_validate({"reason": reason})
    assert caught.value.errors()[0]["loc"] == ("reason",)
