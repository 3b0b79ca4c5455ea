"""Rounds and hand-outs against the kecamatan's ledger: every refusal of the contract."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from services.distribution.domain import evolve_household
from services.distribution.ledger import (
    HandOut,
    Ledger,
    Lot,
    decide_close_round,
    decide_hand_out,
    decide_open_round,
    evolve_ledger,
    lot_of,
)
from shared.contracts.distribution import HandOutPackage, OpenRound
from shared.events.base import DomainEvent
from shared.events.distribution import (
    Aid,
    HouseholdAidStatusChanged,
    HouseholdForgotten,
    PackageDistributed,
    Relation,
    RoundClosed,
    RoundOpened,
)
from tests.unit.distribution.support import BALEREJO, DESA, GARON, given, refused, registered

pytestmark = pytest.mark.unit

OPENED = RoundOpened(round_id="r1", desa=BALEREJO, month="2025-03", quota=2)
LOTS = [Lot("p1", 2, 100_000), Lot("p2", 5, 120_000)]
KEC = "35.20.05"


def ledger(*events: DomainEvent) -> Ledger:
    return given(evolve_ledger, Ledger(), *events)


def package(n: int, household_id: str, **overrides: Any) -> PackageDistributed:
    fields: dict[str, Any] = {
        "package_id": f"k{n}",
        "round_id": "r1",
        "household_id": household_id,
        "desa": BALEREJO,
        "month": "2025-03",
        "distributed_on": date(2025, 3, 7),
        "procurement_id": "p1",
        "value_idr": 100_000,
        "bast_no": f"BAST/352005/2025/{n}",
        "relation": Relation.SENDIRI,
    }
    return PackageDistributed(**(fields | overrides))


def hand_out(household_id: str = "h1", *household_events: DomainEvent, **overrides: Any) -> HandOut:
    events = household_events or (registered(household_id),)
    fields: dict[str, Any] = {
        "round_id": "r1",
        "package_id": "k9",
        "household_id": household_id,
        "household": given(evolve_household, None, *events),
        "distributed_on": date(2025, 3, 21),
        "lots": LOTS,
        "kec": KEC,
        "today": date(2025, 12, 31),
    }
    return HandOut(**(fields | overrides))


def test_opening_a_round_for_a_desa_and_month() -> None:
    cmd = OpenRound(desa="3520052004", month="2025-03", quota=2)
    assert decide_open_round(ledger(), "r1", cmd, DESA) == [OPENED]


def test_one_round_per_desa_and_month() -> None:
    cmd = OpenRound(desa=BALEREJO, month="2025-03", quota=5)
    error = refused("ROUND_EXISTS", lambda: decide_open_round(ledger(OPENED), "r2", cmd, DESA))
    assert error.extra == {"round_id": "r1"}
    other_month = OpenRound(desa=BALEREJO, month="2025-04", quota=5)
    other_desa = OpenRound(desa=GARON, month="2025-03", quota=5)
    assert decide_open_round(ledger(OPENED), "r2", other_month, DESA)
    assert decide_open_round(ledger(OPENED), "r3", other_desa, DESA)


def test_a_round_in_a_desa_outside_the_kecamatan_is_refused_naming_desa() -> None:
    cmd = OpenRound(desa="35.20.06.2001", month="2025-03", quota=5)
    error = refused("INVALID", lambda: decide_open_round(ledger(), "r1", cmd, DESA))
    assert (error.status, error.field) == (422, "desa")


@pytest.mark.parametrize(
    ("field", "body"),
    [("quota", {"quota": 0}), ("month", {"month": "2025-13"}), ("month", {"month": "2025-3"})],
)
def test_round_shape(field: str, body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        OpenRound.model_validate({"desa": BALEREJO, "month": "2025-03", "quota": 1} | body)
    assert caught.value.errors()[0]["loc"][0] == field


def test_handing_out_takes_the_first_lot_and_carries_desa_month_and_value() -> None:
    assert decide_hand_out(ledger(OPENED), hand_out()) == [
        package(9, "h1", distributed_on=date(2025, 3, 21), bast_no="BAST/352005/2025/1")
    ]


def test_lots_are_used_first_in_first_out() -> None:
    assert lot_of(LOTS, 0) == LOTS[0]
    assert lot_of(LOTS, 1) == LOTS[0]
    assert lot_of(LOTS, 2) == LOTS[1]
    assert lot_of(LOTS, 7) is None
    state = ledger(OPENED.model_copy(update={"quota": 10}), package(1, "h1"), package(2, "h2"))
    [third] = decide_hand_out(state, hand_out("h3"))
    assert isinstance(third, PackageDistributed)
    assert (third.procurement_id, third.value_idr) == ("p2", 120_000)


def test_no_stock_when_nothing_was_procured_or_everything_is_handed_out() -> None:
    refused("NO_STOCK", lambda: decide_hand_out(ledger(OPENED), hand_out(lots=[])))
    big = OPENED.model_copy(update={"quota": 10})
    state = ledger(big, package(1, "h1"), package(2, "h2"))
    refused("NO_STOCK", lambda: decide_hand_out(state, hand_out("h3", lots=LOTS[:1])))


def test_quota_reached() -> None:
    state = ledger(OPENED, package(1, "h1"), package(2, "h2"))
    error = refused("QUOTA_REACHED", lambda: decide_hand_out(state, hand_out("h3")))
    assert error.extra == {"quota": 2}


def test_round_closed() -> None:
    closed = RoundClosed(round_id="r1", desa=BALEREJO, month="2025-03", packages=0)
    refused("ROUND_CLOSED", lambda: decide_hand_out(ledger(OPENED, closed), hand_out()))


def test_wrong_desa() -> None:
    error = refused(
        "WRONG_DESA",
        lambda: decide_hand_out(ledger(OPENED), hand_out("h1", registered("h1", desa=GARON))),
    )
    assert error.extra == {"desa": BALEREJO}


def test_not_eligible_on_the_hand_out_date() -> None:
    pkh = HouseholdAidStatusChanged(household_id="h1", aid=[Aid.PKH], as_of=date(2025, 3, 10))
    refused(
        "NOT_ELIGIBLE",
        lambda: decide_hand_out(ledger(OPENED), hand_out("h1", registered("h1"), pkh)),
    )
    before = hand_out("h1", registered("h1"), pkh, distributed_on=date(2025, 3, 9))
    assert decide_hand_out(ledger(OPENED), before)


def test_the_excluding_set_of_the_deployment_decides_eligibility() -> None:
    bpnt = registered("h1", aid=[Aid.BPNT])
    refused("NOT_ELIGIBLE", lambda: decide_hand_out(ledger(OPENED), hand_out("h1", bpnt)))
    lenient = hand_out("h1", bpnt, excluding=frozenset({Aid.PKH}))
    assert decide_hand_out(ledger(OPENED), lenient)


def test_one_package_per_household_per_month() -> None:
    state = ledger(OPENED, package(1, "h1"))
    refused("ALREADY_RECEIVED", lambda: decide_hand_out(state, hand_out("h1")))
    april = RoundOpened(round_id="r2", desa=BALEREJO, month="2025-04", quota=2)
    next_month = hand_out("h1", round_id="r2", distributed_on=date(2025, 4, 4))
    assert decide_hand_out(evolve_ledger(state, april), next_month)


def test_a_forgotten_household_gets_nothing() -> None:
    gone = hand_out("h1", registered("h1"), HouseholdForgotten(household_id="h1"))
    refused("HOUSEHOLD_FORGOTTEN", lambda: decide_hand_out(ledger(OPENED), gone))


def test_unknown_round_or_household_is_not_found() -> None:
    assert refused("NOT_FOUND", lambda: decide_hand_out(ledger(), hand_out())).status == 404
    unknown = hand_out("h7", household=None)
    error = refused("NOT_FOUND", lambda: decide_hand_out(ledger(OPENED), unknown))
    assert "h7" in error.message_en


def test_the_hand_out_date_must_be_inside_the_rounds_month() -> None:
    for day in (date(2025, 2, 28), date(2025, 4, 1)):
        late = hand_out(distributed_on=day)
        error = refused("INVALID", lambda late=late: decide_hand_out(ledger(OPENED), late))
        assert (error.status, error.field) == (422, "distributed_on")


def test_hand_out_shape() -> None:
    with pytest.raises(ValidationError) as caught:
        HandOutPackage.model_validate({"household_id": "nope", "distributed_on": "2025-03-01"})
    assert caught.value.errors()[0]["loc"][0] == "household_id"


def test_closing_a_round_records_its_packages_once() -> None:
    state = ledger(OPENED, package(1, "h1"))
    assert decide_close_round(state, "r1") == [
        RoundClosed(round_id="r1", desa=BALEREJO, month="2025-03", packages=1)
    ]
    closed = evolve_ledger(state, decide_close_round(state, "r1")[0])
    refused("ROUND_CLOSED", lambda: decide_close_round(closed, "r1"))
    assert refused("NOT_FOUND", lambda: decide_close_round(state, "r9")).status == 404


def test_the_ledger_counts_every_package_for_stock() -> None:
    state = ledger(OPENED, package(1, "h1"), package(2, "h2"))
    assert state.distributed == 2
    assert state.rounds["r1"].packages == 2
    assert ("h1", "2025-03") in state.received
