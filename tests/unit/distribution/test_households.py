"""Households: registration, aid status over time, eligibility, forgetting."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from services.distribution.domain import (
    Household,
    check_change,
    check_registration,
    decide_add_aid,
    decide_change,
    decide_change_aid,
    decide_forget,
    decide_register,
    evolve_household,
)
from shared.contracts.distribution import ChangeAid, ChangeHousehold
from shared.events.base import DomainEvent, upcast
from shared.events.distribution import (
    Aid,
    HouseholdAidStatusChanged,
    HouseholdChanged,
    HouseholdForgotten,
    HouseholdRegistered,
    Registry,
)
from tests.unit.distribution.support import (
    BALEREJO,
    DESA,
    GARON,
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


def test_registering_records_only_sealed_data_and_registry_facts_no_hmac() -> None:
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
    assert event.personal == SEALED
    stored = event.model_dump_json()
    assert "hmac" not in stored
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


# -- households v2: members, changes, aid lists, the v1 events --------------------------


def change(**body: object) -> ChangeHousehold:
    return ChangeHousehold.model_validate(body)


def test_members_are_checked_like_the_head_and_never_twice() -> None:
    member = {"nik": "3520054101900002", "name": "Parmi"}
    assert [m.nik for m in register_cmd(members=[member]).members] == ["3520054101900002"]
    for members in (
        [{"nik": "352005410190000", "name": "Parmi"}],
        [member, member],
        [{"nik": "3520054101900001", "name": "Head again"}],
        [{"nik": "3520054101900002", "name": ""}],
    ):
        with pytest.raises(ValidationError) as caught:
            register_cmd(members=members)
        assert caught.value.errors()[0]["loc"][0] in ("members", "nik"), members
    with pytest.raises(ValidationError):
        change(members=[member, member])


def test_a_change_records_only_the_fields_that_differ_and_where_it_moved_from() -> None:
    cmd = check_change(change(desa="3520052005", desil=2, registry="DTSEN"), DESA, TODAY)
    assert decide_change(household(registered()), "h1", cmd, None) == [
        HouseholdChanged(household_id="h1", desa=GARON, moved_from=BALEREJO)
    ]
    moved = household(registered(), HouseholdChanged(household_id="h1", desa=GARON))
    assert (moved.desa, moved.desil, moved.personal) == (GARON, 2, SEALED)


def test_a_change_to_what_it_already_is_appends_nothing() -> None:
    same = change(desa=BALEREJO, desil=2, snapshot_date="2025-01-15")
    assert decide_change(household(registered()), "h1", same, None) == []
    assert decide_change(household(registered()), "h1", change(), None) == []


def test_a_new_personal_record_is_recorded_whole() -> None:
    [event] = decide_change(household(registered()), "h1", change(name="X"), "v1:bmV3")
    assert event == HouseholdChanged(household_id="h1", personal="v1:bmV3")
    assert household(registered(), event).personal == "v1:bmV3"


def test_the_registry_goes_from_dtks_to_dtsen_never_back() -> None:
    dtks = household(registered()).model_copy(update={"registry": Registry.DTKS})
    [up] = decide_change(dtks, "h1", change(registry="DTSEN"), None)
    assert isinstance(up, HouseholdChanged)
    assert up.registry is Registry.DTSEN
    dtsen = household(registered())
    assert (
        refused(
            "REGISTRY_DOWNGRADE", lambda: decide_change(dtsen, "h1", change(registry="DTKS"), None)
        ).status
        == 409
    )


def test_changing_an_unknown_or_forgotten_household_is_refused() -> None:
    assert refused("NOT_FOUND", lambda: decide_change(None, "h9", change(desil=3), None))
    forgotten = household(registered(), HouseholdForgotten(household_id="h1"))
    refused("HOUSEHOLD_FORGOTTEN", lambda: decide_change(forgotten, "h1", change(desil=3), None))


def test_a_change_is_checked_like_a_registration() -> None:
    outside = refused("INVALID", lambda: check_change(change(desa="35.20.06.2001"), DESA, TODAY))
    assert (outside.status, outside.field) == (422, "desa")
    future = refused(
        "INVALID", lambda: check_change(change(snapshot_date="2025-03-15"), DESA, TODAY)
    )
    assert future.field == "snapshot_date"
    with pytest.raises(ValidationError) as caught:
        change(desil=True)
    assert caught.value.errors()[0]["loc"][0] == "desil"


def test_an_aid_list_adds_its_programme_from_its_date_with_the_source() -> None:
    state = household(registered(aid=[Aid.PBI_JK]))
    [event] = decide_add_aid(state, "h1", Aid.PKH, date(2025, 2, 1), "SK Dinsos 12/2025")
    assert event == HouseholdAidStatusChanged(
        household_id="h1",
        aid=[Aid.PKH, Aid.PBI_JK],
        as_of=date(2025, 2, 1),
        source="SK Dinsos 12/2025",
    )
    assert not household(registered(), event).eligible_on(date(2025, 2, 1), {Aid.PKH})
    assert (
        decide_add_aid(household(registered(), event), "h1", Aid.PKH, date(2025, 3, 1), "x") == []
    )
    forgotten = household(registered(), HouseholdForgotten(household_id="h1"))
    assert decide_add_aid(forgotten, "h1", Aid.PKH, date(2025, 2, 1), "x") == []
    assert decide_add_aid(None, "h1", Aid.PKH, date(2025, 2, 1), "x") == []


def test_v1_events_are_upcast_without_their_hmacs_and_with_no_source() -> None:
    v1 = registered().model_dump(mode="json") | {"no_kk_hmac": "a" * 64, "nik_hmac": "b" * 64}
    assert upcast("HouseholdRegistered", 1, v1) == registered()
    aid = {"household_id": "h1", "aid": ["PKH"], "as_of": "2025-02-01"}
    upcasted = upcast("HouseholdAidStatusChanged", 1, aid)
    assert isinstance(upcasted, HouseholdAidStatusChanged)
    assert upcasted.source is None
    assert (HouseholdRegistered.event_version, HouseholdAidStatusChanged.event_version) == (2, 2)


def test_an_aid_list_also_holds_past_a_later_change_that_did_not_name_it() -> None:
    later = HouseholdAidStatusChanged(household_id="h1", aid=[Aid.OTHER], as_of=date(2025, 5, 1))
    state = household(registered(), later)
    events = decide_add_aid(state, "h1", Aid.PKH, date(2025, 2, 1), "SK 1")
    assert [(e.as_of, e.aid) for e in events if isinstance(e, HouseholdAidStatusChanged)] == [
        (date(2025, 2, 1), [Aid.PKH]),
        (date(2025, 5, 1), [Aid.PKH, Aid.OTHER]),
    ]
    after = household(registered(), later, *events)
    assert after.aid_on(date(2025, 6, 1)) == (Aid.PKH, Aid.OTHER)
