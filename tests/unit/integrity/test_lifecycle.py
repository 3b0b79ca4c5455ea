"""Following up, resolving and dismissing: only an open finding moves; the end is final."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.integrity.domain import (
    Finding,
    Status,
    dismiss_finding,
    evolve,
    follow_up_finding,
    resolve_finding,
)
from shared.contracts.integrity import DismissFinding, FollowUpFinding, ResolveFinding
from shared.events.base import DomainEvent, upcast
from shared.events.integrity import (
    FindingDismissed,
    FindingFollowedUp,
    FindingRecorded,
    FindingResolved,
    FindingSeverity,
    Sanction,
    SubjectType,
)
from shared.events.scheduler import ActivityHeld, ActivityKind
from tests.unit.integrity.given import (
    FINDING_ID,
    SEALED,
    TODAY,
    acting,
    dismissed,
    followed_up,
    given,
    invalid,
    recorded,
    refused,
    resolved,
)

pytestmark = pytest.mark.unit

FOLLOW_UP = FollowUpFinding(action="Pembinaan oleh camat", sanction=Sanction.TEGURAN_LISAN)
RESOLVE = ResolveFinding(action="Kehadiran kembali tertib")
DISMISS = DismissFinding(reason="Yang bersangkutan sedang cuti resmi")


def follow_up(state: Finding, cmd: FollowUpFinding = FOLLOW_UP) -> list[DomainEvent]:
    return follow_up_finding(state, cmd, acting(*cmd.texts()))


def resolve(state: Finding) -> list[DomainEvent]:
    return resolve_finding(state, RESOLVE, acting("action"))


def dismiss(state: Finding) -> list[DomainEvent]:
    return dismiss_finding(state, DISMISS, acting("reason"))


ACTIONS: dict[str, Callable[[Finding], list[DomainEvent]]] = {
    "follow_up": follow_up,
    "resolve": resolve,
    "dismiss": dismiss,
}


def test_a_follow_up_records_the_action_sealed_and_the_sanction_code() -> None:
    assert follow_up(given(recorded())) == [
        FindingFollowedUp(
            finding_id=FINDING_ID,
            followed_up_on=TODAY,
            action=SEALED,
            sanction=None,
            sanction_code=Sanction.TEGURAN_LISAN,
        )
    ]


ASN, KADES, PERANGKAT = SubjectType.ASN, SubjectType.KEPALA_DESA, SubjectType.PERANGKAT_DESA
RINGAN, SEDANG, BERAT = FindingSeverity.RINGAN, FindingSeverity.SEDANG, FindingSeverity.BERAT


@pytest.mark.parametrize(
    ("subject", "severity", "sanction"),
    [
        (ASN, RINGAN, Sanction.PERNYATAAN_TIDAK_PUAS),
        (ASN, SEDANG, Sanction.POTONG_TUKIN_25_9B),
        (ASN, BERAT, Sanction.BEBAS_JABATAN_12B),
        (ASN, BERAT, Sanction.PEMBERHENTIAN),
        (KADES, RINGAN, Sanction.PEMBERHENTIAN_SEMENTARA),
        (KADES, BERAT, Sanction.TEGURAN_LISAN),
        (PERANGKAT, SEDANG, Sanction.TEGURAN_TERTULIS),
        (PERANGKAT, BERAT, Sanction.PEMBERHENTIAN),
    ],
)
def test_a_sanction_that_fits_the_subject_and_severity_is_recorded(
    subject: SubjectType, severity: FindingSeverity, sanction: Sanction
) -> None:
    state = given(recorded(subject_type=subject, severity=severity))
    [event] = follow_up(state, FollowUpFinding(action="Pembinaan", sanction=sanction))
    assert isinstance(event, FindingFollowedUp)
    assert event.sanction_code is sanction


@pytest.mark.parametrize(
    ("subject", "severity", "sanction"),
    [
        (ASN, RINGAN, Sanction.POTONG_TUKIN_25_6B),
        (ASN, SEDANG, Sanction.TEGURAN_LISAN),
        (ASN, BERAT, Sanction.PERNYATAAN_TIDAK_PUAS),
        (ASN, BERAT, Sanction.PEMBERHENTIAN_SEMENTARA),
        (KADES, RINGAN, Sanction.PERNYATAAN_TIDAK_PUAS),
        (KADES, BERAT, Sanction.TURUN_JABATAN_12B),
        (PERANGKAT, SEDANG, Sanction.POTONG_TUKIN_25_12B),
    ],
)
def test_a_sanction_that_does_not_fit_is_refused_naming_the_field(
    subject: SubjectType, severity: FindingSeverity, sanction: Sanction
) -> None:
    state = given(recorded(subject_type=subject, severity=severity))
    cmd = FollowUpFinding(action="Pembinaan", sanction=sanction)
    error = invalid(lambda: follow_up(state, cmd), "sanction")
    assert sanction.value in error.message_en


def test_a_follow_up_without_a_sanction_carries_none() -> None:
    [event] = follow_up(given(recorded()), FollowUpFinding(action="Teguran"))
    assert isinstance(event, FindingFollowedUp)
    assert event.sanction is None


def test_a_finding_can_be_followed_up_more_than_once_and_stays_open() -> None:
    state = given(recorded(), followed_up())
    [event] = follow_up(state)
    after = evolve(state, event)
    assert (after.status, after.follow_ups) == (Status.FOLLOWED_UP, 2)


@pytest.mark.parametrize("history", [[], [followed_up()]], ids=["recorded", "followed_up"])
def test_an_open_finding_is_resolved(history: list[DomainEvent]) -> None:
    state = given(recorded(), *history)
    assert resolve(state) == [
        FindingResolved(finding_id=FINDING_ID, resolved_on=TODAY, action=SEALED)
    ]
    assert evolve(state, resolve(state)[0]).status is Status.RESOLVED


@pytest.mark.parametrize("history", [[], [followed_up()]], ids=["recorded", "followed_up"])
def test_an_open_finding_is_dismissed_and_stays_known(history: list[DomainEvent]) -> None:
    state = given(recorded(), *history)
    assert dismiss(state) == [
        FindingDismissed(finding_id=FINDING_ID, dismissed_on=TODAY, reason=SEALED)
    ]
    after = evolve(state, dismiss(state)[0])
    assert (after.status, after.finding_id) == (Status.DISMISSED, FINDING_ID)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_dismissed_finding_is_refused_every_action(action: str) -> None:
    error = refused(lambda: ACTIONS[action](given(recorded(), dismissed())), "FINDING_DISMISSED")
    assert error.extra == {"finding_id": FINDING_ID}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_a_resolved_finding_is_refused_every_action(action: str) -> None:
    error = refused(lambda: ACTIONS[action](given(recorded(), resolved())), "FINDING_RESOLVED")
    assert error.extra == {"finding_id": FINDING_ID}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_an_unknown_finding_is_not_found(action: str) -> None:
    error = refused(lambda: ACTIONS[action](Finding()), "NOT_FOUND", 404)
    assert FINDING_ID in error.message_en


def test_events_of_other_kinds_leave_a_finding_as_it_is() -> None:
    state = given(recorded())
    other = ActivityHeld(
        activity_id="a1",
        kind=ActivityKind.SERASA_DESA,
        date=TODAY,
        held_on=TODAY,
        host_desa="35.20.05.2004",
        officials=3,
        residents=20,
    )
    assert evolve(state, other) == state


def test_a_v1_finding_concerns_an_asn_and_its_token_is_its_officials_id() -> None:
    token = "ab" * 32
    v1 = recorded().model_dump(mode="json")
    for field in ("subject_type", "official", "official_id"):
        del v1[field]
    old = upcast("FindingRecorded", 1, {**v1, "official_token": token})
    assert isinstance(old, FindingRecorded)
    assert (old.subject_type, old.official, old.official_id) == (SubjectType.ASN, None, token)
    assert upcast("FindingRecorded", 1, {**v1, "official_token": None}).official_id is None
    assert given(old).subject_type is SubjectType.ASN


def test_a_v1_follow_up_keeps_its_sealed_free_text_sanction_and_has_no_code() -> None:
    v1 = {"finding_id": FINDING_ID, "followed_up_on": "2023-10-10", "action": SEALED}
    old = upcast("FindingFollowedUp", 1, {**v1, "sanction": SEALED})
    assert isinstance(old, FindingFollowedUp)
    assert (old.sanction, old.sanction_code) == (SEALED, None)
    state = evolve(given(recorded()), old)
    assert (state.status, state.follow_ups) == (Status.FOLLOWED_UP, 1)
