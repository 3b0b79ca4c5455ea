"""Event contracts published by the distribution service (households, rounds, packages)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from shared.events.base import DomainEvent, Sealed
from shared.strict import EventLine
from shared.tenancy import AggregateRef, Tenant

SERVICE = "distribution"
HOUSEHOLD_AGGREGATE = "household"
LEDGER_AGGREGATE = "ledger"
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
HMAC_PATTERN = r"^[0-9a-f]{64}$"


class Aid(StrEnum):
    """Central or regional aid a household receives (PKH, BPNT = Program Sembako, BLT Dana
    Desa, PBI JK health insurance, other)."""

    PKH = "PKH"
    BPNT = "BPNT"
    BLT_DD = "BLT_DD"
    PBI_JK = "PBI_JK"
    OTHER = "OTHER"


class Registry(StrEnum):
    """The national social registry a household was taken from (DTSEN since 2025)."""

    DTKS = "DTKS"
    DTSEN = "DTSEN"


class HouseholdRegistered(DomainEvent):
    """A poor household from the social registry entered the kecamatan's recipient list.
    Personal data is never in clear here (nor in any distribution event).
    `aid` is what it received at registration; `personal` is the sealed JSON of its No. KK,
    head's NIK, head's name and address (opened only with the household's data key);
    `no_kk_hmac` / `nik_hmac` are the deployment's lookup HMACs of the two numbers.

    v1: first version.
    """

    household_id: str
    desa: EventLine
    desil: int = Field(ge=1, le=10)
    registry: Registry
    snapshot_date: date
    aid: list[Aid]
    no_kk_hmac: str = Field(pattern=HMAC_PATTERN)
    nik_hmac: str = Field(pattern=HMAC_PATTERN)
    personal: Sealed

    def sealing_key(self, ref: AggregateRef) -> str:
        return self.household_id

    def sealing_context(self, ref: AggregateRef, field: str) -> str:
        return f"household:{self.household_id}"


class HouseholdAidStatusChanged(DomainEvent):
    """From `as_of` on, the household receives exactly `aid` (until a later change).

    v1: first version.
    """

    household_id: str
    aid: list[Aid]
    as_of: date


class HouseholdForgotten(DomainEvent):
    """The household asked to be forgotten: its data key was shredded, so its personal data
    in the log can never be opened again. Its packages still count. Once it is stored the
    command runner destroys the key (and the projection does again, should a crash have
    come between).

    v1: first version.
    """

    household_id: str

    def forgets_key(self, ref: AggregateRef) -> str | None:
        return self.household_id


class RoundOpened(DomainEvent):
    """A distribution round for one desa and month, with its quota of packages.

    v1: first version.
    """

    round_id: str
    desa: EventLine
    month: str = Field(pattern=MONTH_PATTERN)
    quota: int = Field(ge=1)


class PackageDistributed(DomainEvent):
    """One paket sembako was handed to a household in a round. Carries the derived desa,
    month, the lot (procurement) it came from first in, first out, and its value.

    v1: first version.
    """

    package_id: str
    round_id: str
    household_id: str
    desa: str
    month: str = Field(pattern=MONTH_PATTERN)
    distributed_on: date
    procurement_id: str
    value_idr: int = Field(ge=1)


class RoundClosed(DomainEvent):
    """A round was closed: no more packages are handed out in it. `packages` is how many
    were handed out.

    v1: first version.
    """

    round_id: str
    desa: str
    month: str = Field(pattern=MONTH_PATTERN)
    packages: int = Field(ge=0)


def household_ref(tenant: Tenant, household_id: str) -> AggregateRef:
    """One household's history: registration, aid changes, forgetting."""
    return AggregateRef(tenant, SERVICE, HOUSEHOLD_AGGREGATE, household_id)


def ledger_ref(tenant: Tenant) -> AggregateRef:
    """The kecamatan's distribution ledger: its rounds and every package handed out."""
    return AggregateRef(tenant, SERVICE, LEDGER_AGGREGATE, tenant.kec)
