"""Commands of the scheduler: the shape of what officials ask for, nothing more."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from services.scheduler.rota import FRIDAY_KINDS
from shared.events.scheduler import ActivityKind, DayOff
from shared.tenancy import dot

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
_DESA_CODE = re.compile(r"^[0-9]{2}\.?[0-9]{2}\.?[0-9]{2}\.?[0-9]{4}$")


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DesaInput(Command):
    """A desa as given in the set-up: its Kemendagri code (dots optional) and name."""

    code: str
    name: Text

    @field_validator("code")
    @classmethod
    def _dotted(cls, value: str) -> str:
        if not _DESA_CODE.match(value.strip()):
            raise ValueError("a desa code has the form 35.20.05.2004")
        return dot(value.strip())


class ConfigureKecamatan(Command):
    """Set up the kecamatan, or replace its set-up: desa in rotation order and units."""

    code: str | None = None
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

    year: int = Field(ge=2000, le=2100)
    month: int = Field(ge=1, le=12)


class Attendance(Command):
    officials: int = Field(ge=0, le=100_000)
    residents: int = Field(ge=0, le=1_000_000)


class HoldActivity(Command):
    """Record that an activity took place, on `held_on`, with its attendance."""

    held_on: date
    attendance: Attendance
    notes: LongText | None = None


class CancelActivity(Command):
    """Call off a scheduled activity."""

    reason: LongText


class RescheduleActivity(Command):
    """Move a scheduled activity to another working day of its month."""

    date: date
    reason: LongText | None = None
