"""The charity Friday policy, and the personal data's sealing and masking."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.exceptions import InvalidTag

from services.distribution.deps import DistributionSettings
from services.distribution.personal import context, of_registration, unseal
from services.distribution.policies import when_activity_held_mark_round_due
from shared.crypto import seal_text
from shared.events.distribution import Aid
from shared.events.scheduler import ActivityHeld, ActivityKind
from tests.unit.distribution.support import BALEREJO, register_cmd

pytestmark = pytest.mark.unit


def held(kind: ActivityKind, host: str | None = BALEREJO) -> ActivityHeld:
    return ActivityHeld(
        activity_id="a1",
        kind=kind,
        date=date(2025, 3, 28),
        held_on=date(2025, 4, 1),
        host_desa=host,
        officials=20,
        residents=80,
    )


def test_a_held_charity_friday_makes_its_desa_and_months_round_due() -> None:
    assert when_activity_held_mark_round_due(held(ActivityKind.SHOLAWATAN_BERBAGI)) == (
        BALEREJO,
        "2025-03",
    )


def test_other_activities_or_no_host_make_nothing_due() -> None:
    assert when_activity_held_mark_round_due(held(ActivityKind.SENAM)) is None
    assert when_activity_held_mark_round_due(held(ActivityKind.SHOLAWATAN_BERBAGI, None)) is None


def test_sealed_personal_data_opens_only_with_its_key_and_household() -> None:
    key, other = bytes(32), bytes([1]) * 32
    who = of_registration(register_cmd(members=[{"nik": "3520054101900002", "name": "Parmi"}]))
    marked = who.marked()
    assert "3520054101900001" not in f"{marked} {marked!r} {who!r}"
    token = seal_text(key, marked, context("h1"))
    assert "3520054101900001" not in token
    person = unseal(key, "h1", token)
    assert (person.nik, person.no_kk, person.address) == (
        "3520054101900001",
        "3520050101080001",
        "Dusun Krajan RT 01 RW 02",
    )
    assert (person.name_masked, person.nik_masked) == ("S******* W***********", "3520********0001")
    assert person.niks() == ["3520054101900001", "3520054101900002"]
    assert "3520054101900001" not in repr(person)
    assert "3520054101900001" not in repr(register_cmd())
    with pytest.raises(InvalidTag):
        unseal(other, "h1", token)
    with pytest.raises(InvalidTag):
        unseal(key, "h2", token)


def test_a_record_sealed_before_members_existed_opens_with_none() -> None:
    key = bytes(32)
    old = '{"no_kk": "3520050101080001", "nik": "3520054101900001", "name": "S", "address": "A"}'
    assert unseal(key, "h1", seal_text(key, old, context("h1"))).members == ()


def test_the_excluding_aid_set_comes_from_the_deployments_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert DistributionSettings().excluding() == {Aid.PKH, Aid.BPNT, Aid.BLT_DD}
    monkeypatch.setenv("SMART_DISTRIBUTION_EXCLUDING_AID", "PKH, BLT_DD")
    assert DistributionSettings().excluding() == {Aid.PKH, Aid.BLT_DD}
    monkeypatch.setenv("SMART_DISTRIBUTION_EXCLUDING_AID", "PKH,BANSOS")
    with pytest.raises(ValueError, match="BANSOS"):
        DistributionSettings().excluding()
