"""Event contracts published by the integrity service: findings (temuan) and their fate."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from shared.events.base import DomainEvent
from shared.tenancy import AggregateRef, Tenant

SERVICE = "integrity"
FINDING_AGGREGATE = "finding"

Sealed = Annotated[str, Field(pattern=r"^v1:[A-Za-z0-9+/]+=*$")]
Token = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class FindingCategory(StrEnum):
    KEHADIRAN = "KEHADIRAN"
    PELAYANAN = "PELAYANAN"
    ETIKA = "ETIKA"
    ADMINISTRASI = "ADMINISTRASI"
    KEUANGAN = "KEUANGAN"
    GRATIFIKASI = "GRATIFIKASI"


class FindingSeverity(StrEnum):
    """Levels of PP 94/2021 (light, medium, heavy), also used for village officials."""

    RINGAN = "RINGAN"
    SEDANG = "SEDANG"
    BERAT = "BERAT"


class FindingSource(StrEnum):
    SERASA_DESA = "SERASA_DESA"
    INSPEKTORAT = "INSPEKTORAT"
    PENGADUAN = "PENGADUAN"
    INTERNAL = "INTERNAL"


class FindingRecorded(DomainEvent):
    """A norm-violation finding (temuan) against an official of a unit was recorded.

    Free text may mention people: it is stored only sealed under the finding's data key.
    `unit` is the desa code when the unit is a desa, else the unit's configured name;
    `desa` is that code or null. `official_token` is an HMAC of the opaque official
    reference (never a name). `visit_id` links a finding made on a Serasa Desa visit.

    v1: first version.
    """

    finding_id: str
    unit: str
    unit_name: str
    desa: str | None
    official_token: Token | None
    category: FindingCategory
    severity: FindingSeverity
    source: FindingSource
    found_on: date
    description: Sealed
    visit_id: str | None


class FindingFollowedUp(DomainEvent):
    """Action was taken on an open finding, possibly with a sanction; it stays open.

    v1: first version.
    """

    finding_id: str
    followed_up_on: date
    action: Sealed
    sanction: Sealed | None


class FindingResolved(DomainEvent):
    """An open finding was settled by a final action; it no longer counts as open.

    v1: first version.
    """

    finding_id: str
    resolved_on: date
    action: Sealed


class FindingDismissed(DomainEvent):
    """A finding was found invalid. It stays in the log but leaves every count.

    v1: first version.
    """

    finding_id: str
    dismissed_on: date
    reason: Sealed


def finding_ref(tenant: Tenant, finding_id: str) -> AggregateRef:
    """Where one finding's events live in the log."""
    return AggregateRef(tenant, SERVICE, FINDING_AGGREGATE, finding_id)
