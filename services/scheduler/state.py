"""The scheduler's state: the kecamatan set-up and its rota, rebuilt by pure evolve."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.scheduler.rota import KIND_ORDER
from shared.contracts import scheduler as c
from shared.contracts.scheduler import ActivityStatus
from shared.errors import NotFound
from shared.events.base import DomainEvent
from shared.events.scheduler import (
    ActivityCancelled,
    ActivityHeld,
    ActivityKind,
    ActivityRescheduled,
    ActivityScheduled,
    DayOff,
    Desa,
    KecamatanConfigured,
)


class Setup(BaseModel):
    """The kecamatan as configured: desa in rotation order, units, rota options."""

    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    desa: tuple[Desa, ...]
    units: tuple[str, ...]
    fifth_friday: ActivityKind | None = None
    days_off: tuple[DayOff, ...] = ()

    @classmethod
    def of(cls, event: KecamatanConfigured) -> Setup:
        return cls(
            code=event.kecamatan,
            name=event.name,
            desa=tuple(event.desa),
            units=tuple(event.units),
            fifth_friday=event.fifth_friday,
            days_off=tuple(event.days_off),
        )

    def reply(self) -> c.Kecamatan:
        return c.Kecamatan(
            code=self.code,
            name=self.name,
            desa=list(self.desa),
            units=list(self.units),
            fifth_friday=self.fifth_friday,
            days_off=list(self.days_off),
        )

    def answer(self) -> dict[str, Any]:
        return self.reply().model_dump(mode="json")


class Activity(BaseModel):
    """One activity of the rota as it stands."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: ActivityKind
    year: int
    month: int
    planned_for: date
    date: date
    host_desa: str | None
    status: ActivityStatus
    note: str | None = None

    def reply(self) -> c.Activity:
        return c.Activity(
            id=self.id,
            date=self.date,
            kind=self.kind,
            host_desa=self.host_desa,
            status=self.status,
            note=self.note,
        )

    def answer(self) -> dict[str, Any]:
        return self.reply().model_dump(mode="json")


class Turns(BaseModel):
    """One rotation: its current round and the desa already served in it."""

    model_config = ConfigDict(frozen=True)

    round: int = 0
    served: frozenset[str] = frozenset()

    def next_host(self, desa: Sequence[str]) -> tuple[str, int]:
        """The first desa, in set-up order, without a turn this round; else a new round."""
        waiting = [code for code in desa if code not in self.served]
        if self.round and waiting:
            return waiting[0], self.round
        return desa[0], self.round + 1

    def after(self, host: str, round_: int) -> Turns:
        if round_ != self.round:
            return Turns(round=round_, served=frozenset({host}))
        return Turns(round=round_, served=self.served | {host})


class Rota(BaseModel):
    """The kecamatan's rota: scheduled months, every activity and each rotation by name
    (`JUMAT`, `SERASA_DESA`; a month scheduled before v2 used one per kind)."""

    model_config = ConfigDict(frozen=True)

    months: frozenset[tuple[int, int]] = frozenset()
    activities: dict[str, Activity] = Field(default_factory=dict)
    turns: dict[str, Turns] = Field(default_factory=dict)

    def month(self, year: int, month: int) -> list[Activity]:
        found = [a for a in self.activities.values() if (a.year, a.month) == (year, month)]
        return sorted(found, key=lambda a: (a.date, KIND_ORDER[a.kind]))

    def find(self, activity_id: str) -> Activity:
        activity = self.activities.get(activity_id)
        if activity is None:
            raise NotFound("Kegiatan", activity_id)
        return activity


def evolve_setup(setup: Setup | None, event: DomainEvent) -> Setup | None:
    return Setup.of(event) if isinstance(event, KecamatanConfigured) else setup


ActivityChange = ActivityHeld | ActivityCancelled | ActivityRescheduled


def evolve_rota(rota: Rota, event: DomainEvent) -> Rota:
    if isinstance(event, ActivityScheduled):
        return _scheduled(rota, event)
    if not isinstance(event, ActivityChange):
        return rota
    activity = changed(rota.activities[event.activity_id], event)
    return rota.model_copy(update={"activities": {**rota.activities, activity.id: activity}})


def planned(event: ActivityScheduled) -> Activity:
    """An activity as its month was scheduled."""
    return Activity(
        id=event.activity_id,
        kind=event.kind,
        year=event.year,
        month=event.month,
        planned_for=event.planned_for,
        date=event.date,
        host_desa=event.host_desa,
        status=ActivityStatus.SKIPPED if event.skipped else ActivityStatus.SCHEDULED,
        note=event.note,
    )


def changed(activity: Activity, event: ActivityChange) -> Activity:
    """An activity after it was held, cancelled or rescheduled. Its `note` is the latest
    remark: the day off it was planned around, then the notes, reason given since."""
    if isinstance(event, ActivityHeld):
        return activity.model_copy(
            update={"status": ActivityStatus.HELD, "note": event.notes or activity.note}
        )
    if isinstance(event, ActivityCancelled):
        return activity.model_copy(
            update={"status": ActivityStatus.CANCELLED, "note": event.reason}
        )
    return activity.model_copy(update={"date": event.date, "note": event.reason or activity.note})


def _scheduled(rota: Rota, event: ActivityScheduled) -> Rota:
    activity = planned(event)
    turns = rota.turns
    if event.host_desa is not None:
        kept = turns.get(event.rotation, Turns()).after(event.host_desa, event.rotation_round)
        turns = {**turns, event.rotation: kept}
    return rota.model_copy(
        update={
            "months": rota.months | {(event.year, event.month)},
            "activities": {**rota.activities, activity.id: activity},
            "turns": turns,
        }
    )
