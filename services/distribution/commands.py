"""Commands and query parameters of the distribution service: shape validation only."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.events.distribution import MONTH_PATTERN, Aid, Registry

NUMBER_16 = r"^[0-9]{16}$"
AID_ORDER = list(Aid)


def canonical_aid(values: list[Aid]) -> list[Aid]:
    """Each aid once, in the contract's order."""
    return sorted(set(values), key=AID_ORDER.index)


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class RegisterHousehold(Command):
    """Register a household from the social registry (clear personal data, never stored)."""

    no_kk: str = Field(pattern=NUMBER_16, repr=False)
    nik: str = Field(pattern=NUMBER_16, repr=False)
    name: str = Field(min_length=1, max_length=200, repr=False)
    desa: str = Field(min_length=1, max_length=40)
    address: str = Field(min_length=1, max_length=500, repr=False)
    desil: int = Field(ge=1, le=10)
    registry: Registry
    snapshot_date: date
    aid: list[Aid] = Field(default_factory=list)

    _aid = field_validator("aid")(canonical_aid)


class ImportHouseholds(Command):
    """A registry export as CSV text: one household per line."""

    csv: str = Field(max_length=20_000_000)


class ChangeAid(Command):
    """From `as_of` on, the household receives exactly `aid`."""

    aid: list[Aid]
    as_of: date

    _aid = field_validator("aid")(canonical_aid)


class OpenRound(Command):
    """Open the round of one desa for one month (`YYYY-MM`)."""

    desa: str = Field(min_length=1, max_length=40)
    month: str = Field(pattern=MONTH_PATTERN)
    quota: int = Field(ge=1, le=100_000)


class HandOutPackage(Command):
    """Hand one package of the round to a household."""

    household_id: UUID
    distributed_on: date


class YearQuery(Command):
    """A report for one calendar year."""

    year: int = Field(ge=2000, le=2100)
