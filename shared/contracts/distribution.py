"""The distribution service's commands, queries and replies, and its public operations."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import Field, StringConstraints, field_validator

from shared.contracts.base import (
    FREE_TEXT,
    ONE_LINE,
    Command,
    Int,
    IsoDate,
    Operation,
    Query,
    QueryInt,
    Reply,
    Text,
)
from shared.events.distribution import MONTH_PATTERN, SERVICE, Aid, Registry

NUMBER_16 = r"^[0-9]{16}$"
AID_ORDER = list(Aid)
QueryYear = Annotated[QueryInt, Field(ge=2000, le=2100)]
DesaCode = Annotated[str, StringConstraints(min_length=1, max_length=40), ONE_LINE]
Address = Annotated[str, StringConstraints(min_length=1, max_length=500), FREE_TEXT]
"""A postal address may be written over several lines, as registry exports quote it."""
FIELD_WORK = frozenset({"admin", "camat", "operator"})
"""Who may write households and rounds: a village operator too, in its own desa."""


def canonical_aid(values: list[Aid]) -> list[Aid]:
    """Each aid once, in the contract's order."""
    return sorted(set(values), key=AID_ORDER.index)


class RegisterHousehold(Command):
    """Register a household from the social registry (clear personal data, never stored)."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "household_register"
    desa_field: ClassVar[str | None] = "desa"

    no_kk: str = Field(pattern=NUMBER_16, repr=False)
    nik: str = Field(pattern=NUMBER_16, repr=False)
    name: Text = Field(repr=False)
    desa: DesaCode
    address: Address = Field(repr=False)
    desil: Int = Field(ge=1, le=10)
    registry: Registry
    snapshot_date: IsoDate
    aid: list[Aid] = Field(default_factory=list)

    _aid = field_validator("aid")(canonical_aid)


class ImportHouseholds(Command):
    """A registry export as CSV text: one household per line."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "household_import"

    csv: str = Field(max_length=20_000_000)


class ChangeAid(Command):
    """From `as_of` on, the household (the `{id}` of the path) receives exactly `aid`."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "household_aid"

    aid: list[Aid]
    as_of: IsoDate

    _aid = field_validator("aid")(canonical_aid)


class ForgetHousehold(Command):
    """Forget the household of the path: its personal data becomes unreadable for good."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "household_forget"


class OpenRound(Command):
    """Open the round of one desa for one month (`YYYY-MM`)."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "round_open"
    desa_field: ClassVar[str | None] = "desa"

    desa: DesaCode
    month: str = Field(pattern=MONTH_PATTERN)
    quota: Int = Field(ge=1, le=100_000)


class HandOutPackage(Command):
    """Hand one package of the round (the `{id}` of the path) to a household."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "package_hand_out"

    household_id: UUID
    distributed_on: IsoDate


class CloseRound(Command):
    """Close the round of the path: no more hand-outs in it."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "round_close"


class HouseholdRef(Reply):
    household_id: str


class Rejected(Reply):
    """One line of an import that was not registered, and why."""

    line: int
    field: str | None
    reason: str


class Imported(Reply):
    accepted: int
    rejected: list[Rejected]


class MaskedHousehold(Reply):
    """A household as answers show it: never a clear NIK, No. KK or full name."""

    household_id: str
    name_masked: str | None
    nik_masked: str | None
    desa: str | None
    desil: int | None
    aid: list[Aid]
    eligible: bool
    forgotten: bool


class Forgotten(Reply):
    household_id: str
    forgotten: bool


class RoundRef(Reply):
    round_id: str


class PackageHandedOut(Reply):
    package_id: str
    value_idr: int


class HouseholdQuery(Query):
    """The masked household of the path."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "household_get"


class HouseholdsQuery(Query):
    """The kecamatan's masked households, of one desa if `desa` is given."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "households"

    desa: DesaCode | None = None


class Households(Reply):
    households: list[MaskedHousehold]


class SuggestionsQuery(Query):
    """Who the round of the path should serve, in priority order."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "round_suggestions"


class Suggestion(Reply):
    household_id: str
    name_masked: str | None
    nik_masked: str | None
    desil: int
    last_received: date | None


class Suggestions(Reply):
    suggestions: list[Suggestion]


class RoundsQuery(Query):
    """The kecamatan's rounds, of one year if `year` is given."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "rounds"

    year: QueryYear | None = None


class RoundRow(Reply):
    round_id: str
    desa: str
    month: str
    quota: int
    packages: int
    closed: bool


class Rounds(Reply):
    rounds: list[RoundRow]


class RoundsDueQuery(Query):
    """Rounds a held charity Friday made due and that nobody opened yet."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "rounds_due"


class RoundDue(Reply):
    desa: str
    month: str
    activity_id: str
    held_on: date


class RoundsDue(Reply):
    rounds_due: list[RoundDue]


class StockQuery(Query):
    """Packages procured, handed out and left."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "stock"


class Stock(Reply):
    procured: int
    distributed: int
    available: int


class DistributionQuery(Query):
    """Packages per desa and month of one calendar year, totals and coverage."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "distribution"

    year: QueryYear


class DesaMonth(Reply):
    desa: str
    month: str
    packages: int
    value_idr: int
    households_reached: int


class Totals(Reply):
    packages: int
    value_idr: int
    households_reached: int


class Coverage(Reply):
    desa: str
    eligible: int
    reached: int


class Distribution(Reply):
    rows: list[DesaMonth]
    totals: Totals
    coverage: list[Coverage]


class SummaryQuery(Query):
    """The distribution figures of one calendar year, for `GET /summary`."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "summary"

    year: QueryYear


class DistributionSummary(Reply):
    packages_distributed: int
    packages_value_idr: int
    households_reached: int


OPERATIONS = (
    Operation(
        "POST",
        "/households",
        RegisterHousehold,
        HouseholdRef,
        "Register a household",
        "registerHousehold",
        status=201,
        writers=FIELD_WORK,
    ),
    Operation(
        "POST",
        "/households/import",
        ImportHouseholds,
        Imported,
        "Import a registry CSV export",
        "importHouseholds",
        status=201,
        also=200,
        writers=FIELD_WORK,
        body="csv",
    ),
    Operation(
        "GET",
        "/households/{id}",
        HouseholdQuery,
        MaskedHousehold,
        "A masked household",
        "getHousehold",
    ),
    Operation(
        "POST",
        "/households/{id}/aid",
        ChangeAid,
        MaskedHousehold,
        "Change a household's aid",
        "changeHouseholdAid",
        writers=FIELD_WORK,
    ),
    Operation(
        "DELETE",
        "/households/{id}",
        ForgetHousehold,
        Forgotten,
        "Forget a household (its personal data is shredded)",
        "forgetHousehold",
        writers=FIELD_WORK,
    ),
    Operation(
        "POST",
        "/rounds",
        OpenRound,
        RoundRef,
        "Open a desa's round of a month",
        "openRound",
        status=201,
        writers=FIELD_WORK,
    ),
    Operation(
        "GET",
        "/rounds/{id}/suggestions",
        SuggestionsQuery,
        Suggestions,
        "Households suggested for a round",
        "roundSuggestions",
    ),
    Operation(
        "POST",
        "/rounds/{id}/packages",
        HandOutPackage,
        PackageHandedOut,
        "Hand a package to a household",
        "handOutPackage",
        status=201,
        writers=FIELD_WORK,
    ),
    Operation(
        "POST",
        "/rounds/{id}/close",
        CloseRound,
        RoundRef,
        "Close a round",
        "closeRound",
        writers=FIELD_WORK,
    ),
    Operation(
        "GET",
        "/distribution",
        DistributionQuery,
        Distribution,
        "Packages per desa and month",
        "getDistribution",
    ),
)
