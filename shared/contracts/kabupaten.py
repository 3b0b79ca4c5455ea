"""The kabupaten view (`GET /api/v1/{kab}/summary`): each service's figures for every
kecamatan of a kabupaten in one query, and the joined answer the gateway gives.

Each service serves its part as `kabupaten_summary`, a kabupaten-wide message (no
kecamatan in the request; a caller confined to one is refused): one row per kecamatan
its read models hold, each figure counted as that kecamatan's `summary` counts it."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from shared.contracts.base import Operation, Query, QueryInt, Reply
from shared.events.distribution import SERVICE as DISTRIBUTION
from shared.events.donations import SERVICE as DONATIONS
from shared.events.integrity import SERVICE as INTEGRITY
from shared.events.scheduler import SERVICE as SCHEDULER

Year = Annotated[QueryInt, Field(ge=2000, le=2100, description="Calendar year")]
RPC = "kabupaten_summary"


class KabupatenQuery(Query):
    """`year`: the calendar year every figure is counted in, by its business date."""

    service: ClassVar[str] = "gateway"
    rpc: ClassVar[str] = RPC
    kabupaten_wide: ClassVar[bool] = True

    year: Year


class SchedulerKabupaten(KabupatenQuery):
    service: ClassVar[str] = SCHEDULER


class DonationsKabupaten(KabupatenQuery):
    service: ClassVar[str] = DONATIONS


class DistributionKabupaten(KabupatenQuery):
    """`coverage`: also count each kecamatan's eligible households (the dashboard's
    coverage; it reads every household of the kabupaten, so the API does not ask it)."""

    service: ClassVar[str] = DISTRIBUTION

    coverage: bool = False


class IntegrityKabupaten(KabupatenQuery):
    service: ClassVar[str] = INTEGRITY


class KecamatanActivities(Reply):
    """A kecamatan that was PUT: its name, the year's activities scheduled (not skipped)
    and held, summed over kinds."""

    code: str
    name: str
    activities_scheduled: int
    activities_held: int


class KecamatanFund(Reply):
    """A kecamatan's donations net of voids and its spending in the year."""

    code: str
    donations_idr: int
    spent_idr: int


class KecamatanPackages(Reply):
    """A kecamatan's packages handed out in the year, their value, the distinct households
    reached; `eligible` (asked with `coverage`) the households eligible on the day judged."""

    code: str
    packages_distributed: int
    packages_value_idr: int
    households_reached: int
    eligible: int | None = None


class KecamatanFindings(Reply):
    """A kecamatan's findings (not dismissed) found in the year and in the year before."""

    code: str
    findings: int
    findings_previous_year: int


class SchedulerRows(Reply):
    kecamatan: list[KecamatanActivities]


class DonationsRows(Reply):
    kecamatan: list[KecamatanFund]


class DistributionRows(Reply):
    kecamatan: list[KecamatanPackages]


class IntegrityRows(Reply):
    kecamatan: list[KecamatanFindings]


class Figures(Reply):
    """The figures of one kecamatan's `GET /summary?year=`, as the kabupaten view sums them."""

    activities_scheduled: int = 0
    activities_held: int = 0
    donations_idr: int = 0
    spent_idr: int = 0
    packages_distributed: int = 0
    households_reached: int = 0
    findings: int = 0


class Named(Reply):
    """A kecamatan by its code (with dots) and its name."""

    code: str
    name: str


class KecamatanFigures(Figures, Named):
    """One kecamatan that was PUT, as its own `/summary` counts it (code and name first)."""


class KabupatenSummary(Reply):
    """Every kecamatan of the kabupaten that was PUT, in code order, and their totals."""

    year: int
    kecamatan: list[KecamatanFigures]
    totals: Figures


FIGURES = tuple(Figures.model_fields)
PARTS: tuple[type[KabupatenQuery], ...] = (
    SchedulerKabupaten,
    DonationsKabupaten,
    DistributionKabupaten,
    IntegrityKabupaten,
)
"""The services' parts, the scheduler's first: it names the kecamatan that were PUT."""

KABUPATEN_BASE = "/api/v1/{kab}"
SUMMARY = Operation(
    "GET",
    "/summary",
    KabupatenQuery,
    KabupatenSummary,
    "Every kecamatan of the kabupaten side by side, and their totals",
    "getKabupatenSummary",
)
"""Outside a kecamatan's base: for tokens whose area is the whole kabupaten or wider."""
