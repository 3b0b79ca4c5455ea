"""The integrity service's commands, queries and replies, and its public operations."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from shared.contracts.base import (
    FREE_TEXT,
    ONE_LINE,
    Command,
    IsoDate,
    Operation,
    Query,
    QueryInt,
    Reply,
    Text,
)
from shared.events.integrity import (
    SERVICE,
    FindingCategory,
    FindingSeverity,
    FindingSource,
    Sanction,
    SubjectType,
)

Narrative = Annotated[str, StringConstraints(min_length=1, max_length=4000), FREE_TEXT]
"""A finding's free text: what was found, what was done, why it was dismissed."""
VisitId = Annotated[str, StringConstraints(min_length=1, max_length=100), ONE_LINE]
Year = Annotated[QueryInt | None, Field(ge=1900, le=9999)]
Official = Annotated[str, StringConstraints(min_length=1, max_length=120), ONE_LINE]
"""The official a finding concerns: an 18-digit NIP (spaces allowed) or a name."""


class RecordFinding(Command):
    """Record a temuan about an ASN, a kepala desa or a perangkat desa (`subject_type`).
    `official` (an extra of this service, optional: CONTRACT.md is silent) names the
    official it concerns, a NIP or a name; it is sealed and never answered."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "finding_record"

    unit: Text
    category: FindingCategory
    severity: FindingSeverity
    found_on: IsoDate
    source: FindingSource
    description: Narrative
    visit_id: VisitId | None = None
    subject_type: SubjectType = SubjectType.ASN
    official: Official | None = None

    def texts(self) -> dict[str, str]:
        named = {"official": self.official} if self.official else {}
        return {"description": self.description, **named}


class FollowUpFinding(Command):
    """Act on an open finding (the `{id}` of the path), with a sanction or without: a code
    that fits the finding's subject and severity (`SANCTIONS`)."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "finding_follow_up"

    action: Narrative
    sanction: Sanction | None = None

    def texts(self) -> dict[str, str]:
        return {"action": self.action}


class ResolveFinding(Command):
    """Close an open finding as dealt with, saying how."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "finding_resolve"

    action: Narrative

    def texts(self) -> dict[str, str]:
        return {"action": self.action}


class DismissFinding(Command):
    """Close an open finding as invalid, saying why: it leaves every count."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "finding_dismiss"

    reason: Narrative

    def texts(self) -> dict[str, str]:
        return {"reason": self.reason}


class FindingRef(Reply):
    finding_id: str


class FindingsSummaryQuery(Query):
    """Counts of the findings not dismissed, over every year."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "findings_summary"


class FindingsSummary(Reply):
    """`repeat_officials` (an extra of this service): officials named by two findings or
    more found within 24 months of each other."""

    by_year: dict[str, int]
    by_category: dict[FindingCategory, int]
    by_severity: dict[FindingSeverity, int]
    by_subject_type: dict[SubjectType, int]
    open: int
    repeat_officials: int


class YearQuery(Query):
    """`year`: a calendar year; absent means this year in Jakarta."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = ""

    year: Year = None


class SummaryQuery(YearQuery):
    """Findings per year, from the earliest one up to `year`, zeros included."""

    rpc: ClassVar[str] = "summary"


class FindingsByYear(Reply):
    findings_by_year: dict[str, int]


class TrendQuery(YearQuery):
    rpc: ClassVar[str] = "trend"


class TrendYear(Reply):
    year: int
    findings: int
    change: int | None
    change_pct: float | None


class Trend(TrendYear):
    """`year`'s figures, and every year's up to it."""

    years: list[TrendYear]


class FindingsByUnitQuery(Query):
    """`year`: a calendar year; absent means every year."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "findings_by_unit"

    year: Year = None


class UnitFindings(Reply):
    unit: str
    name: str
    desa: str | None
    findings: int
    open: int


class FindingsByUnit(Reply):
    year: int | None
    units: list[UnitFindings]


class OpenFindingsQuery(Query):
    """`overdue_days`: how old an open finding may be; absent means the configured days."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "open_findings"

    overdue_days: Annotated[QueryInt, Field(ge=1, le=3650)] | None = None


class OpenFinding(Reply):
    finding_id: str
    unit: str
    unit_name: str
    desa: str | None
    category: FindingCategory
    severity: FindingSeverity
    subject_type: SubjectType
    source: FindingSource
    found_on: date
    status: Literal["RECORDED", "FOLLOWED_UP"]
    follow_ups: int
    visit_id: str | None
    age_days: int
    overdue: bool


class OpenFindings(Reply):
    as_of: date
    overdue_days: int
    count: int
    overdue: int
    findings: list[OpenFinding]


class VisitsQuery(YearQuery):
    """Serasa Desa visits beside the findings, per desa and per visit, in `year`."""

    rpc: ClassVar[str] = "visits"


class DesaVisits(Reply):
    desa: str
    name: str | None
    visits: int
    findings: int


class HeldVisit(Reply):
    visit_id: str
    host_desa: str | None
    held_on: date
    findings: int


class Visits(Reply):
    year: int
    desa: list[DesaVisits]
    visits: list[HeldVisit]


OPERATIONS = (
    Operation(
        "POST",
        "/findings",
        RecordFinding,
        FindingRef,
        "Record a finding",
        "recordFinding",
        status=201,
    ),
    Operation(
        "POST",
        "/findings/{id}/follow-up",
        FollowUpFinding,
        FindingRef,
        "Follow a finding up",
        "followUpFinding",
    ),
    Operation(
        "POST",
        "/findings/{id}/resolve",
        ResolveFinding,
        FindingRef,
        "Resolve a finding",
        "resolveFinding",
    ),
    Operation(
        "POST",
        "/findings/{id}/dismiss",
        DismissFinding,
        FindingRef,
        "Dismiss a finding",
        "dismissFinding",
    ),
    Operation(
        "GET",
        "/findings/summary",
        FindingsSummaryQuery,
        FindingsSummary,
        "Findings counts",
        "findingsSummary",
    ),
)
