"""Request bodies of the contract, for the OpenAPI document; the services validate them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DesaDoc(_Doc):
    code: str = Field(examples=["35.20.05.2004"])
    name: str


class KecamatanBody(_Doc):
    name: str
    desa: list[DesaDoc]
    units: list[str]


class ScheduleBody(_Doc):
    year: int
    month: int = Field(ge=1, le=12)


class Attendance(_Doc):
    officials: int = Field(ge=0)
    residents: int = Field(ge=0)


class HeldBody(_Doc):
    held_on: date
    attendance: Attendance
    notes: str | None = None


class ReasonBody(_Doc):
    reason: str


class DonationBody(_Doc):
    unit: str
    amount_idr: int = Field(gt=0, le=100_000_000)
    received_on: date
    donor: str | None = None


class ProcurementBody(_Doc):
    packages: int = Field(ge=1)
    unit_price_idr: int = Field(ge=1)
    purchased_on: date
    supplier: str


class HouseholdBody(_Doc):
    no_kk: str = Field(pattern=r"^\d{16}$")
    nik: str = Field(pattern=r"^\d{16}$")
    name: str
    desa: str
    address: str
    desil: int = Field(ge=1, le=10)
    registry: str = Field(pattern="^(DTKS|DTSEN)$")
    snapshot_date: date
    aid: list[str] = Field(default_factory=list)


class AidBody(_Doc):
    aid: list[str]
    as_of: date


class RoundBody(_Doc):
    desa: str
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    quota: int = Field(ge=1)


class PackageBody(_Doc):
    household_id: str
    distributed_on: date


class FindingBody(_Doc):
    unit: str
    category: str
    severity: str
    found_on: date
    source: str
    description: str
    visit_id: str | None = None


class FollowUpBody(_Doc):
    action: str
    sanction: str | None = None


class ActionBody(_Doc):
    action: str


BODIES: dict[tuple[str, str], type[BaseModel]] = {
    ("PUT", ""): KecamatanBody,
    ("POST", "/schedule"): ScheduleBody,
    ("POST", "/activities/{id}/held"): HeldBody,
    ("POST", "/activities/{id}/cancel"): ReasonBody,
    ("POST", "/donations"): DonationBody,
    ("POST", "/donations/{id}/void"): ReasonBody,
    ("POST", "/procurements"): ProcurementBody,
    ("POST", "/households"): HouseholdBody,
    ("POST", "/households/{id}/aid"): AidBody,
    ("POST", "/rounds"): RoundBody,
    ("POST", "/rounds/{id}/packages"): PackageBody,
    ("POST", "/findings"): FindingBody,
    ("POST", "/findings/{id}/follow-up"): FollowUpBody,
    ("POST", "/findings/{id}/resolve"): ActionBody,
    ("POST", "/findings/{id}/dismiss"): ReasonBody,
}
