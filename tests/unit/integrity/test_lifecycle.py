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
from shared.events.base import DomainEvent
from shared.events.integrity import FindingDismissed, FindingFollowedUp, FindingResolved
from shared.events.scheduler import ActivityHeld, ActivityKind
from tests.unit.integrity.given import (
    FINDING_ID,
    SEALED,
    TODAY,
    acting,
    dismissed,
    followed_up,
    given,
    recorded,
    refused,
    resolved,
)

pytestmark = pytest.mark.unit

FOLLOW_UP = FollowUpFinding(action="Pembinaan oleh camat", sanction="Teguran lisan")
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


def test_a_follow_up_records_the_action_and_the_sanction_sealed() -> None:
    assert follow_up(given(recorded())) == [
        FindingFollowedUp(
            finding_id=FINDING_ID, followed_up_on=TODAY, action=SEALED, sanction=SEALED
        )
    ]


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
