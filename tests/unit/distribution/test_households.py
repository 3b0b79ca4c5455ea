"""Households: registration, aid status over time, eligibility, forgetting."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from services.distribution.domain import (
    Household,
    check_registration,
    decide_change_aid,
    decide_forget,
    decide_register,
    evolve_household,
)
from shared.contracts.distribution import ChangeAid
from shared.events.base import DomainEvent
from shared.events.distribution import (
    Aid,
    HouseholdAidStatusChanged,
    HouseholdForgotten,
    HouseholdRegistered,
)
from tests.unit.distribution.support import (
    BALEREJO,
    DESA,
    SEALED,
    TODAY,
    given,
    refused,
    register_cmd,
    registered,
)

pytestmark = pytest.mark.unit


def household(*events: DomainEvent) -> Household:
    state = given(evolve_household, None, *events)
    assert state is not None
    return state


def test_registering_records_only_sealed_data_hmacs_and_registry_facts() -> None:
    cmd = check_registration(register_cmd(aid=["PBI_JK"]), DESA, TODAY)
    [event] = decide_register(None, "h1", cmd, SEALED)
    assert isinstance(event, HouseholdRegistered)
    assert (event.desa, event.desil, event.registry, event.snapshot_date) == (
        BALEREJO,
        2,
        "DTSEN",
        date(2025, 1, 15),
    )
    assert event.aid == [Aid.PBI_JK]
    assert (event.no_kk_hmac, event.nik_hmac, event.personal) == (
        SEALED.no_kk_hmac,
        SEALED.nik_hmac,
        SEALED.personal,
    )
    stored = event.model_dump_json()
    for clear in ("3520050101080001", "3520054101900001", "Sulastri", "Krajan"):
        assert clear not in stored


def test_a_registration_retried_appends_nothing_more() -> None:
    state = household(registered())
    assert decide_register(state, "h1", register_cmd(), SEALED) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("no_kk", "352005010108000"),
        ("no_kk", "35200501010800011"),
        ("nik", "35200541019O0001"),
        ("desil", 0),
        ("desil", 11),
        ("registry", "BDT"),
        ("aid", ["PKH", "BANSOS"]),
        ("snapshot_date", "2025-02-30"),
        ("name", ""),
    ],
)
def test_bad_shapes_are_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        register_cmd(**{field: value})
    assert caught.value.errors()[0]["loc"][0] == field


def test_a_nik_from_another_area_is_accepted() -> None:
    cmd = check_registration(register_cmd(nik="3171016505850003"), DESA, TODAY)
    assert cmd.nik == "3171016505850003"


def test_aid_is_kept_once_each_in_the_contract_order() -> None:
    assert register_cmd(aid=["OTHER", "PKH", "PKH"]).aid == [Aid.PKH, Aid.OTHER]


def test_a_desa_outside_the_kecamatan_is_refused_naming_desa() -> None:
    error = refused(
        "INVALID", lambda: check_registration(register_cmd(desa="35.20.06.2001"), DESA, TODAY)
    )
    assert (error.status, error.field) == (422, "desa")


def test_a_desa_code_without_dots_is_made_canonical() -> None:
    assert check_registration(register_cmd(desa="3520052004"), DESA, TODAY).desa == BALEREJO


def test_a_snapshot_in_the_future_is_refused_today_is_fine() -> None:
    error = refused(
        "INVALID", lambda: check_registration(register_cmd(snapshot_date="2025-03-15"), DESA, TODAY)
    )
    assert (error.status, error.field) == (422, "snapshot_date")
    assert check_registration(register_cmd(snapshot_date="2025-03-14"), DESA, TODAY)


def test_eligible_iff_registered_not_forgotten_and_without_pkh_bpnt_blt_dd() -> None:
    excluding = {Aid.PKH, Aid.BPNT, Aid.BLT_DD}
    day = date(2025, 3, 1)
    assert household(registered()).eligible_on(day, excluding)
    assert household(registered(aid=[Aid.PBI_JK, Aid.OTHER])).eligible_on(day, excluding)
    for aid in (Aid.PKH, Aid.BPNT, Aid.BLT_DD):
        assert not household(registered(aid=[aid])).eligible_on(day, excluding)
    forgotten = household(registered(), HouseholdForgotten(household_id="h1"))
    assert not forgotten.eligible_on(day, excluding)


def test_the_excluding_aid_set_is_configurable() -> None:
    bpnt = household(registered(aid=[Aid.BPNT]))
    assert bpnt.eligible_on(TODAY, {Aid.PKH})
    assert not bpnt.eligible_on(TODAY, {Aid.PKH, Aid.BPNT})


def test_a_household_starting_pkh_stops_being_a_priority_from_that_date() -> None:
    starts = HouseholdAidStatusChanged(household_id="h1", aid=[Aid.PKH], as_of=date(2025, 4, 1))
    state = household(registered(), starts)
    excluding = {Aid.PKH}
    assert state.eligible_on(date(2025, 3, 31), excluding)
    assert not state.eligible_on(date(2025, 4, 1), excluding)
    stops = HouseholdAidStatusChanged(household_id="h1", aid=[], as_of=date(2025, 7, 1))
    later = evolve_household(state, stops)
    assert later is not None
    assert later.eligible_on(date(2025, 7, 1), excluding)
    assert later.aid_on(date(2025, 5, 5)) == (Aid.PKH,)


def test_changing_aid_records_the_new_status_from_its_date() -> None:
    cmd = ChangeAid(aid=[Aid.BLT_DD], as_of=date(2025, 2, 1))
    assert decide_change_aid(household(registered()), "h1", cmd) == [
        HouseholdAidStatusChanged(household_id="h1", aid=[Aid.BLT_DD], as_of=date(2025, 2, 1))
    ]


def test_changing_aid_to_what_it_already_is_appends_nothing() -> None:
    cmd = ChangeAid(aid=[Aid.PBI_JK], as_of=date(2025, 2, 1))
    assert decide_change_aid(household(registered(aid=[Aid.PBI_JK])), "h1", cmd) == []


def test_changing_aid_of_an_unknown_or_forgotten_household_is_refused() -> None:
    cmd = ChangeAid(aid=[], as_of=date(2025, 2, 1))
    assert refused("NOT_FOUND", lambda: decide_change_aid(None, "h9", cmd)).status == 404
    forgotten = household(registered(), HouseholdForgotten(household_id="h1"))
    refused("HOUSEHOLD_FORGOTTEN", lambda: decide_change_aid(forgotten, "h1", cmd))


def test_forgetting_records_it_once() -> None:
    state = household(registered())
    assert decide_forget(state, "h1") == [HouseholdForgotten(household_id="h1")]
    assert decide_forget(evolve_household(state, HouseholdForgotten(household_id="h1")), "h1") == []
    assert refused("NOT_FOUND", lambda: decide_forget(None, "h9")).status == 404
