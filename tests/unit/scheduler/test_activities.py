"""Recording what happened to a scheduled activity: held, cancelled, rescheduled."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.scheduler import domain
from services.scheduler.rota import days_off
from services.scheduler.state import Rota
from shared.contracts.scheduler import ActivityStatus as Status
from shared.contracts.scheduler import CancelActivity, HoldActivity, RescheduleActivity
from shared.errors import DomainError
from shared.events.scheduler import (
    ActivityCancelled,
    ActivityHeld,
    ActivityKind,
    ActivityRescheduled,
)
from tests.unit.scheduler.given import DESA, given, schedule, scheduled_on

pytestmark = pytest.mark.unit

JALAN = date(2023, 4, 14)
GOOD_FRIDAY = date(2023, 4, 7)
OFF = days_off([2023])


@pytest.fixture
def april() -> Rota:
    _, rota = schedule(Rota(), 2023, 4)
    return rota


@pytest.fixture
def walk(april: Rota) -> str:
    return scheduled_on(april, ActivityKind.JALAN_JALAN, JALAN)


def held(on: date = JALAN, officials: int = 30, residents: int = 120, **extra: Any) -> HoldActivity:
    return HoldActivity.model_validate(
        {"held_on": on, "attendance": {"officials": officials, "residents": residents}, **extra}
    )


def refused(code: str, call: Any, *args: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(*args)
    assert caught.value.code == code
    return caught.value


def test_holding_a_scheduled_activity_records_its_attendance_kind_date_and_host(
    april: Rota, walk: str
) -> None:
    events = domain.hold(april, walk, held(notes="Jalan sehat ke Balerejo"))
    assert events == [
        ActivityHeld(
            activity_id=walk,
            kind=ActivityKind.JALAN_JALAN,
            date=JALAN,
            held_on=JALAN,
            host_desa=DESA[1].code,
            officials=30,
            residents=120,
            notes="Jalan sehat ke Balerejo",
        )
    ]
    after = given(*events, rota=april).find(walk)
    assert (after.status, after.note) == (Status.HELD, "Jalan sehat ke Balerejo")


def test_holding_twice_is_refused(april: Rota, walk: str) -> None:
    rota = given(*domain.hold(april, walk, held()), rota=april)
    error = refused("ALREADY_HELD", domain.hold, rota, walk, held())
    assert error.status == 409
    assert "sudah" in error.message
    assert "already" in error.message_en


def test_holding_a_cancelled_activity_is_refused(april: Rota, walk: str) -> None:
    rota = given(*domain.cancel(april, walk, CancelActivity(reason="Hujan deras")), rota=april)
    refused("ACTIVITY_CANCELLED", domain.hold, rota, walk, held())


def test_holding_a_skipped_activity_is_refused() -> None:
    _, rota = schedule(Rota(), 2022, 5)
    skipped = scheduled_on(rota, ActivityKind.SERASA_DESA, date(2022, 5, 3))
    refused("ACTIVITY_SKIPPED", domain.hold, rota, skipped, held(date(2022, 5, 3)))


def test_holding_an_unknown_activity_is_not_found(april: Rota) -> None:
    error = refused("NOT_FOUND", domain.hold, april, "no-such-activity", held())
    assert error.status == 404


@pytest.mark.parametrize("days", [-7, 0, 7])
def test_held_on_may_be_up_to_a_week_from_the_date(april: Rota, walk: str, days: int) -> None:
    on = JALAN + timedelta(days=days)
    assert domain.hold(april, walk, held(on))[0].held_on == on  # type: ignore[attr-defined]


@pytest.mark.parametrize("days", [-8, 8])
def test_held_on_more_than_a_week_from_the_date_names_the_field(
    april: Rota, walk: str, days: int
) -> None:
    error = refused("INVALID", domain.hold, april, walk, held(JALAN + timedelta(days=days)))
    assert (error.status, error.field) == (422, "held_on")


def test_held_on_is_judged_from_the_moved_date(april: Rota) -> None:
    senam = scheduled_on(april, ActivityKind.SENAM, GOOD_FRIDAY)
    assert domain.hold(april, senam, held(date(2023, 3, 30)))
    refused("INVALID", domain.hold, april, senam, held(date(2023, 4, 14)))


@pytest.mark.parametrize("field", ["officials", "residents"])
def test_negative_attendance_is_refused_naming_the_field(field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        held(**{field: -1})
    assert caught.value.errors()[0]["loc"] == ("attendance", field)


def test_cancelling_keeps_the_reason_as_the_note(april: Rota, walk: str) -> None:
    events = domain.cancel(april, walk, CancelActivity(reason="Hujan deras"))
    assert events == [
        ActivityCancelled(
            activity_id=walk,
            kind=ActivityKind.JALAN_JALAN,
            date=JALAN,
            host_desa=DESA[1].code,
            reason="Hujan deras",
        )
    ]
    after = given(*events, rota=april).find(walk)
    assert (after.status, after.note) == (Status.CANCELLED, "Hujan deras")


def test_cancelling_a_held_activity_is_refused(april: Rota, walk: str) -> None:
    rota = given(*domain.hold(april, walk, held()), rota=april)
    refused("ALREADY_HELD", domain.cancel, rota, walk, CancelActivity(reason="x"))


def test_cancelling_twice_is_refused(april: Rota, walk: str) -> None:
    rota = given(*domain.cancel(april, walk, CancelActivity(reason="x")), rota=april)
    refused("ACTIVITY_CANCELLED", domain.cancel, rota, walk, CancelActivity(reason="y"))


def test_cancelling_a_skipped_activity_is_refused() -> None:
    _, rota = schedule(Rota(), 2022, 5)
    skipped = scheduled_on(rota, ActivityKind.SERASA_DESA, date(2022, 5, 3))
    refused("ACTIVITY_SKIPPED", domain.cancel, rota, skipped, CancelActivity(reason="x"))


def test_a_cancel_needs_a_reason() -> None:
    with pytest.raises(ValidationError) as caught:
        CancelActivity.model_validate({"reason": "  "})
    assert caught.value.errors()[0]["loc"] == ("reason",)


def test_rescheduling_moves_the_activity_within_its_month(april: Rota, walk: str) -> None:
    cmd = RescheduleActivity(date=date(2023, 4, 12), reason="Bupati berkunjung hari Jumat")
    events = domain.reschedule(april, walk, cmd, OFF)
    assert events == [
        ActivityRescheduled(
            activity_id=walk,
            kind=ActivityKind.JALAN_JALAN,
            from_date=JALAN,
            date=date(2023, 4, 12),
            host_desa=DESA[1].code,
            reason="Bupati berkunjung hari Jumat",
        )
    ]
    rota = given(*events, rota=april)
    assert rota.find(walk).date == date(2023, 4, 12)
    assert [a.id for a in rota.month(2023, 4)].index(walk) == 3
    refused("INVALID", domain.hold, rota, walk, held(date(2023, 4, 20)))


@pytest.mark.parametrize(
    "day", [date(2023, 5, 2), date(2023, 4, 15), date(2023, 4, 7), date(2023, 4, 22)]
)
def test_rescheduling_outside_the_month_or_onto_a_day_off_names_the_date(
    april: Rota, walk: str, day: date
) -> None:
    error = refused("INVALID", domain.reschedule, april, walk, RescheduleActivity(date=day), OFF)
    assert (error.status, error.field) == (422, "date")


def test_rescheduling_to_the_same_day_appends_nothing(april: Rota, walk: str) -> None:
    assert domain.reschedule(april, walk, RescheduleActivity(date=JALAN), OFF) == []


@pytest.mark.parametrize(
    ("code", "first"),
    [
        ("ALREADY_HELD", lambda r, i: domain.hold(r, i, held())),
        ("ACTIVITY_CANCELLED", lambda r, i: domain.cancel(r, i, CancelActivity(reason="x"))),
    ],
)
def test_rescheduling_a_held_or_cancelled_activity_is_refused(
    april: Rota, walk: str, code: str, first: Any
) -> None:
    rota = given(*first(april, walk), rota=april)
    cmd = RescheduleActivity(date=date(2023, 4, 12))
    refused(code, domain.reschedule, rota, walk, cmd, OFF)


def test_rescheduling_a_skipped_activity_is_refused() -> None:
    _, rota = schedule(Rota(), 2022, 5)
    skipped = scheduled_on(rota, ActivityKind.SERASA_DESA, date(2022, 5, 3))
    cmd = RescheduleActivity(date=date(2022, 5, 11))
    refused("ACTIVITY_SKIPPED", domain.reschedule, rota, skipped, cmd, days_off([2022]))


def test_an_activity_answers_the_contract_shape(april: Rota) -> None:
    senam = april.find(scheduled_on(april, ActivityKind.SENAM, GOOD_FRIDAY)).answer()
    assert set(senam) == {"id", "date", "kind", "host_desa", "status", "note"}
    assert (senam["date"], senam["kind"], senam["status"]) == ("2023-04-06", "SENAM", "scheduled")
