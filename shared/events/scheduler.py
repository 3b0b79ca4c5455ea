"""Event contracts published by the scheduler service (kecamatan set-up and the rota).

Consumers (donations, distribution, integrity) import only this module.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.events.base import DomainEvent
from shared.tenancy import AggregateRef, Tenant

SERVICE = "scheduler"
KECAMATAN_AGGREGATE = "kecamatan"


class ActivityKind(StrEnum):
    SENAM = "SENAM"
    JALAN_JALAN = "JALAN_JALAN"
    BERSIH_BERSIH = "BERSIH_BERSIH"
    SHOLAWATAN_BERBAGI = "SHOLAWATAN_BERBAGI"
    SERASA_DESA = "SERASA_DESA"


class Desa(BaseModel):
    """A village of the kecamatan: Kemendagri code with dots (`35.20.05.2004`) and name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    name: str


class KecamatanConfigured(DomainEvent):
    """The kecamatan was set up or its set-up changed: its name, its desa in rotation order
    and its units (the kecamatan office and the village governments that donate).
    Each event carries the whole set-up, so the latest one is the current state.

    v1: first version.
    """

    kecamatan: str = Field(description="Kemendagri code with dots, e.g. 35.20.05")
    name: str
    desa: list[Desa]
    units: list[str]


class ActivityHeld(DomainEvent):
    """An activity of the rota took place, with its attendance. Carries the activity's kind,
    planned date and host desa so that consumers need nothing else.

    v1: first version.
    """

    activity_id: str
    kind: ActivityKind
    date: date
    held_on: date
    host_desa: str | None
    officials: int = Field(ge=0)
    residents: int = Field(ge=0)
    notes: str | None = None


def kecamatan_ref(tenant: Tenant) -> AggregateRef:
    """Where a kecamatan's set-up lives in the log: read its last event for the current one."""
    return AggregateRef(tenant, SERVICE, KECAMATAN_AGGREGATE, tenant.kec)
