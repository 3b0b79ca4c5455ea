"""Event contracts published by the scheduler service (kecamatan set-up and the rota).

Consumers (donations, distribution, integrity) import only this module.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import DomainEvent, JsonDict, register_upcaster
from shared.strict import EventLine, EventText, IsoDate
from shared.tenancy import AggregateRef, Tenant

SERVICE = "scheduler"
KECAMATAN_AGGREGATE = "kecamatan"
ROTA_AGGREGATE = "rota"
FRIDAY_ROTATION = "JUMAT"
"""The one rotation the four Friday kinds (and a configured 5th Friday) share since v2."""


class ActivityKind(StrEnum):
    SENAM = "SENAM"
    JALAN_JALAN = "JALAN_JALAN"
    BERSIH_BERSIH = "BERSIH_BERSIH"
    SHOLAWATAN_BERBAGI = "SHOLAWATAN_BERBAGI"
    SERASA_DESA = "SERASA_DESA"


class Desa(BaseModel):
    """A village of the kecamatan: Kemendagri code with dots (`35.20.05.2004`) and name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: EventLine
    name: EventLine


class DayOff(BaseModel):
    """A local day off of the kecamatan (a regency anniversary, a local cuti bersama)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: IsoDate
    name: EventLine


class KecamatanConfigured(DomainEvent):
    """The kecamatan was set up or its set-up changed: its name, its desa in rotation order
    and its units (the kecamatan office and the village governments that donate).
    Each event carries the whole set-up, so the latest one is the current state.

    v1: first version. `fifth_friday` (the kind held on a month's 5th Friday, none when
    absent) and `days_off` (local days off, none when absent) were added with defaults.
    """

    kecamatan: EventLine = Field(description="Kemendagri code with dots, e.g. 35.20.05")
    name: EventLine
    desa: list[Desa]
    units: list[EventLine]
    fifth_friday: ActivityKind | None = None
    days_off: list[DayOff] = Field(default_factory=list)


class ActivityScheduled(DomainEvent):
    """An activity of the rota was planned when its month was scheduled.

    `planned_for` is its rota day (the n-th Friday, a Tuesday); `date` the day it takes
    place: earlier in the same week when the rota day is a day off. `year` and `month` are
    those of `planned_for`: a moved activity stays in that month. A `skipped` activity found
    no working day in its week: it keeps its date, has no host and names the day off in
    `note`. `rotation` names the rotation over the desa the host's turn was taken from and
    `rotation_round` the round of it the turn belongs to (0 when skipped).

    v1: first version; each kind had a rotation of its own.
    v2: `rotation` added: `JUMAT`, one rotation shared by the four Friday kinds (a month's
    Fridays go to four different desa), or `SERASA_DESA`. A v1 event is read with its
    kind as its rotation: the months scheduled then keep the rule they were scheduled by.
    """

    event_version: ClassVar[int] = 2

    activity_id: str
    kind: ActivityKind
    year: int
    month: int = Field(ge=1, le=12)
    planned_for: dt.date
    date: dt.date
    host_desa: str | None
    rotation: EventLine
    rotation_round: int = Field(ge=0)
    skipped: bool = False
    note: EventText | None = None


@register_upcaster("ActivityScheduled", 1)
def _own_rotation_per_kind(payload: JsonDict) -> JsonDict:
    """v1 → v2: before v2 every kind rotated on its own."""
    return {**payload, "rotation": payload["kind"]}


class ActivityHeld(DomainEvent):
    """An activity of the rota took place, with its attendance. Carries the activity's kind,
    planned date and host desa so that consumers need nothing else.

    v1: first version.
    """

    activity_id: str
    kind: ActivityKind
    date: dt.date
    held_on: dt.date
    host_desa: str | None
    officials: int = Field(ge=0)
    residents: int = Field(ge=0)
    notes: EventText | None = None


class ActivityCancelled(DomainEvent):
    """A scheduled activity will not take place; its host's turn stays used.

    v1: first version.
    """

    activity_id: str
    kind: ActivityKind
    date: dt.date
    host_desa: str | None
    reason: EventText


class ActivityRescheduled(DomainEvent):
    """A scheduled activity was moved to another working day of its month.

    v1: first version.
    """

    activity_id: str
    kind: ActivityKind
    from_date: dt.date
    date: dt.date
    host_desa: str | None
    reason: EventText | None = None


def kecamatan_ref(tenant: Tenant) -> AggregateRef:
    """Where a kecamatan's set-up lives in the log: read its last event for the current one."""
    return AggregateRef(tenant, SERVICE, KECAMATAN_AGGREGATE, tenant.kec)


def rota_ref(tenant: Tenant) -> AggregateRef:
    """Where a kecamatan's rota lives: every activity event and the rotation, one aggregate."""
    return AggregateRef(tenant, SERVICE, ROTA_AGGREGATE, tenant.kec)
