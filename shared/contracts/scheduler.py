"""The scheduler service's commands, queries and replies, and its public operations."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.contracts.base import (
    ONE_LINE,
    Command,
    Int,
    IsoDate,
    LongText,
    Operation,
    Query,
    QueryInt,
    Reply,
    Text,
)
from shared.events.scheduler import SERVICE, ActivityKind, DayOff, Desa
from shared.tenancy import dot

Year = Annotated[Int, Field(ge=2000, le=2100)]
Month = Annotated[Int, Field(ge=1, le=12)]
QueryYear = Annotated[QueryInt, Field(ge=2000, le=2100)]
QueryMonth = Annotated[QueryInt, Field(ge=1, le=12)]
_DESA_CODE = re.compile(r"[0-9]{2}\.?[0-9]{2}\.?[0-9]{2}\.?[0-9]{4}")
FRIDAY_KINDS = (
    ActivityKind.SENAM,
    ActivityKind.JALAN_JALAN,
    ActivityKind.BERSIH_BERSIH,
    ActivityKind.SHOLAWATAN_BERBAGI,
)
"""The kinds held on the 1st to 4th Friday of a month, in that order."""


class ActivityStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


class Part(BaseModel):
    """A piece of a command's body."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class DesaInput(Part):
    """A desa as given in the set-up: its Kemendagri code (dots optional) and name."""

    code: Annotated[str, StringConstraints(max_length=20), ONE_LINE]
    name: Text

    @field_validator("code")
    @classmethod
    def _dotted(cls, value: str) -> str:
        if not _DESA_CODE.fullmatch(value):
            raise ValueError("a desa code has the form 35.20.05.2004")
        return dot(value)


class ConfigureKecamatan(Command):
    """Set up the kecamatan, or replace its set-up: desa in rotation order and units."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "kecamatan_put"

    code: Annotated[str, StringConstraints(max_length=20), ONE_LINE] | None = None
    name: Text
    desa: list[DesaInput] = Field(min_length=1, max_length=500)
    units: list[Text] = Field(max_length=1000)
    fifth_friday: ActivityKind | None = None
    days_off: list[DayOff] = Field(default_factory=list, max_length=366)

    @field_validator("fifth_friday")
    @classmethod
    def _friday_kind(cls, value: ActivityKind | None) -> ActivityKind | None:
        if value is not None and value not in FRIDAY_KINDS:
            raise ValueError("the 5th Friday takes one of the Friday activities")
        return value

    @field_validator("units")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each unit is named once")
        return value


class ScheduleMonth(Command):
    """Plan a month of the rota."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "schedule"

    year: Year
    month: Month


class Attendance(Part):
    officials: Int = Field(ge=0, le=100_000)
    residents: Int = Field(ge=0, le=1_000_000)


class HoldActivity(Command):
    """Record that an activity (the `{id}` of the path) took place, on `held_on`."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "activity_held"

    held_on: IsoDate
    attendance: Attendance
    notes: LongText | None = None


class CancelActivity(Command):
    """Call off a scheduled activity (the `{id}` of the path)."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "activity_cancel"

    reason: LongText


class RescheduleActivity(Command):
    """Move a scheduled activity (the `{id}` of the path) to a working day of its month."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "activity_reschedule"

    date: IsoDate
    reason: LongText | None = None


class Kecamatan(Reply):
    """The set-up; `fifth_friday` and `days_off` appear only when configured."""

    code: str
    name: str
    desa: list[Desa]
    units: list[str]
    fifth_friday: ActivityKind | None = Field(default=None, exclude_if=lambda v: v is None)
    days_off: list[DayOff] = Field(default_factory=list, exclude_if=lambda v: not v)


class Activity(Reply):
    id: str
    date: IsoDate
    kind: ActivityKind
    host_desa: str | None
    status: ActivityStatus
    note: str | None


class Activities(Reply):
    activities: list[Activity]


class KecamatanQuery(Query):
    """The kecamatan's set-up."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "kecamatan_get"


class ActivitiesQuery(Query):
    """A scheduled month's activities, by the month of their rota day."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "activities"

    year: QueryYear
    month: QueryMonth


class YearQuery(Query):
    """`year`: the calendar year of the activities' dates."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = ""

    year: QueryYear


class SummaryQuery(YearQuery):
    rpc: ClassVar[str] = "summary"


class ActivityCounts(Reply):
    scheduled: dict[ActivityKind, int]
    held: dict[ActivityKind, int]


class ActivitiesSummary(Reply):
    activities: ActivityCounts


class ExecutionRateQuery(YearQuery):
    rpc: ClassVar[str] = "execution_rate"


class Rate(Reply):
    scheduled: int
    held: int
    rate: float | None


class MonthRate(Reply):
    month: int
    kind: ActivityKind
    scheduled: int
    held: int
    rate: float | None


class ExecutionRate(Reply):
    year: int
    rows: list[MonthRate]
    totals: dict[ActivityKind, Rate]


class AttendanceQuery(YearQuery):
    rpc: ClassVar[str] = "attendance"


class DesaAttendance(Reply):
    desa: str
    name: str | None
    kind: ActivityKind
    held: int
    officials: int
    residents: int


class AttendanceReport(Reply):
    year: int
    rows: list[DesaAttendance]


class RotationQuery(Query):
    """Each rotation over the desa: the Fridays' (`JUMAT`) and the visits' (`SERASA_DESA`),
    then any per-kind rotation of months scheduled before they were shared."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "rotation"


class DesaTurns(Reply):
    code: str
    name: str
    turns: int
    served_this_round: bool


class KindRotation(Reply):
    rotation: str
    kinds: list[ActivityKind]
    round: int
    next_desa: str
    desa: list[DesaTurns]


class Rotation(Reply):
    rotation: list[KindRotation]


OPERATIONS = (
    Operation(
        "PUT",
        "",
        ConfigureKecamatan,
        Kecamatan,
        "Set up or update the kecamatan",
        "putKecamatan",
        status=201,
        also=200,
    ),
    Operation(
        "GET", "", KecamatanQuery, Kecamatan, "The kecamatan, its desa and units", "getKecamatan"
    ),
    Operation(
        "POST",
        "/schedule",
        ScheduleMonth,
        Activities,
        "Schedule a month of activities",
        "scheduleMonth",
        status=201,
        also=200,
    ),
    Operation(
        "GET", "/activities", ActivitiesQuery, Activities, "A month's activities", "listActivities"
    ),
    Operation(
        "POST",
        "/activities/{id}/held",
        HoldActivity,
        Activity,
        "Record a held activity",
        "holdActivity",
    ),
    Operation(
        "POST",
        "/activities/{id}/cancel",
        CancelActivity,
        Activity,
        "Cancel an activity",
        "cancelActivity",
    ),
)
