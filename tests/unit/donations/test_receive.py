"""Receiving donations: receipts, units, bounds, dates and anonymous donors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from pydantic_core import PydanticSerializationError

from services.donations.domain import Rules, decide_receive, is_anonymous, match_unit
from shared.contracts.donations import ReceiveDonation
from shared.events.base import Clear
from shared.events.donations import DonationReceived, DonationVoided
from tests.unit.donations.given import RULES, TODAY, UNITS, given, received, refused

pytestmark = pytest.mark.unit


def donation(**overrides: Any) -> ReceiveDonation:
    body = {"unit": "Desa Balerejo", "amount_idr": 50_000, "received_on": "2024-03-01"}
    return ReceiveDonation.model_validate({**body, **overrides})


def receive(fund: Any, cmd: ReceiveDonation, rules: Rules = RULES, **kw: Any) -> DonationReceived:
    [event] = decide_receive(fund, cmd, rules, donation_id=kw.get("id", "d-new"))
    assert isinstance(event, DonationReceived)
    return event


def test_first_donation_gets_receipt_one_and_carries_the_new_balance() -> None:
    event = receive(given(), donation())
    assert event == DonationReceived(
        donation_id="d-new",
        unit="Desa Balerejo",
        amount_idr=50_000,
        received_on=date(2024, 3, 1),
        receipt_no=1,
        anonymous=True,
        donor_sealed=None,
        balance_after_idr=50_000,
    )


def test_receipts_count_on_from_the_last_one_of_the_year() -> None:
    fund = given(received("d1", 10_000), received("d2", 20_000, receipt=2, balance=30_000))
    event = receive(fund, donation())
    assert (event.receipt_no, event.balance_after_idr) == (3, 80_000)


def test_receipts_restart_at_one_per_year_of_received_on() -> None:
    fund = given(received("d1", 10_000), received("d2", 10_000, receipt=2, balance=20_000))
    back_dated = receive(fund, donation(received_on="2023-12-29"))
    assert back_dated.receipt_no == 1
    fund = given(
        received("d1", 10_000),
        received("d2", 10_000, receipt=2, balance=20_000),
        received("d0", 10_000, on=date(2023, 12, 29), receipt=1, balance=30_000),
    )
    assert receive(fund, donation()).receipt_no == 3
    assert receive(fund, donation(received_on="2023-12-30")).receipt_no == 2


def test_a_voided_donation_keeps_its_receipt_so_numbers_never_repeat() -> None:
    void = DonationVoided(
        donation_id="d2",
        reason="salah input",
        voided_on=TODAY,
        unit="Desa Balerejo",
        amount_idr=20_000,
        received_on=date(2024, 3, 1),
        receipt_no=2,
        balance_after_idr=10_000,
    )
    fund = given(received("d1", 10_000), received("d2", 20_000, receipt=2, balance=30_000), void)
    assert receive(fund, donation()).receipt_no == 3


def test_unit_matches_without_regard_to_case_or_spacing_and_keeps_the_configured_name() -> None:
    assert receive(given(), donation(unit="  desa   BALEREJO ")).unit == "Desa Balerejo"
    assert match_unit(UNITS, "Desa Garon") is None


def test_unknown_unit_is_refused_naming_the_field() -> None:
    error = refused(lambda: receive(given(), donation(unit="Desa Garon")), "INVALID", 422)
    assert error.field == "unit"


def test_amount_up_to_the_default_ceiling_of_100_million_is_accepted() -> None:
    assert receive(given(), donation(amount_idr=100_000_000)).amount_idr == 100_000_000
    error = refused(lambda: receive(given(), donation(amount_idr=100_000_001)), "INVALID", 422)
    assert error.field == "amount_idr"


def test_the_ceiling_is_configurable() -> None:
    rules = Rules(today=TODAY, units=UNITS, ceiling_idr=1_000_000)
    assert receive(given(), donation(amount_idr=1_000_000), rules).amount_idr == 1_000_000
    error = refused(lambda: receive(given(), donation(amount_idr=1_000_001), rules), "INVALID", 422)
    assert error.field == "amount_idr"


def test_a_donation_received_today_is_accepted_one_received_tomorrow_is_refused() -> None:
    assert receive(given(), donation(received_on=TODAY.isoformat())).received_on == TODAY
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    error = refused(lambda: receive(given(), donation(received_on=tomorrow)), "INVALID", 422)
    assert error.field == "received_on"


def test_today_is_judged_in_jakarta_not_in_utc() -> None:
    evening_utc = datetime(2024, 3, 15, 18, 30, tzinfo=UTC)
    rules = Rules.at(evening_utc, UNITS, 100_000_000)
    assert rules.today == date(2024, 3, 16)
    assert receive(given(), donation(received_on="2024-03-16"), rules).receipt_no == 1


@pytest.mark.parametrize(
    "donor", [None, "", "   ", "hamba Allah", "HAMBA  ALLAH", " Hamba-Allah. "]
)
def test_no_donor_or_hamba_allah_is_anonymous(donor: str | None) -> None:
    assert is_anonymous(donor)
    event = receive(given(), donation(donor=donor))
    assert (event.anonymous, event.donor_sealed) == (True, None)


@pytest.mark.parametrize("donor", ["Budi Santoso", "Hamba Allah Budi", "عبد الله"])
def test_a_named_donor_is_marked_personal_for_the_runner_to_seal(donor: str) -> None:
    assert not is_anonymous(donor)
    event = receive(given(), donation(donor=f"  {donor} "))
    assert event.anonymous is False
    assert isinstance(event.donor_sealed, Clear)
    assert event.donor_sealed == " ".join(donor.split())
    assert donor not in f"{event!r} {event}"


def test_a_named_donor_not_yet_sealed_can_never_be_serialised() -> None:
    event = receive(given(), donation(donor="Budi Santoso"))
    with pytest.raises(PydanticSerializationError, match="sealed"):
        event.model_dump_json()
    with pytest.raises(PydanticSerializationError, match="sealed"):
        event.model_dump(mode="json")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount_idr", 1.5),
        ("amount_idr", "1000"),
        ("amount_idr", 1000.0),
        ("amount_idr", True),
        ("amount_idr", 0),
        ("amount_idr", -5_000),
        ("amount_idr", None),
        ("received_on", "01-03-2024"),
        ("received_on", "2024-02-30"),
        ("received_on", 20240301),
        ("unit", ""),
        ("unit", "   "),
        ("donor", "x" * 201),
    ],
)
def test_bad_shapes_are_refused_naming_the_field(field: str, value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        donation(**{field: value})
    assert caught.value.errors()[0]["loc"] == (field,)


def test_missing_and_unexpected_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as missing:
        ReceiveDonation.model_validate({"unit": "Desa Balerejo", "received_on": "2024-03-01"})
    assert missing.value.errors()[0]["loc"] == ("amount_idr",)
    with pytest.raises(ValidationError) as extra:
        donation(receipt_no=7)
    assert extra.value.errors()[0]["loc"] == ("receipt_no",)
