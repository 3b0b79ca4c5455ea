"""Event contracts published by the integrity service: findings (temuan) and their fate."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from shared.events.base import DomainEvent, Sealed
from shared.strict import EventLine
from shared.tenancy import AggregateRef, Tenant

SERVICE = "integrity"
FINDING_AGGREGATE = "finding"

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


class _OfFinding:
    """An event of one finding: its free text is sealed under the finding's data key, each
    field bound to the finding and its name."""

    def sealing_key(self, ref: AggregateRef) -> str:
        return f"finding:{ref.tenant.kec}:{getattr(self, 'finding_id')}"  # noqa: B009

    def sealing_context(self, ref: AggregateRef, field: str) -> str:
        return f"{self.sealing_key(ref)}:{field}"


class FindingRecorded(_OfFinding, DomainEvent):
    """A norm-violation finding (temuan) against an official of a unit was recorded.

    Free text may mention people: it is stored only sealed under the finding's data key.
    `unit` is the desa code when the unit is a desa, else the unit's configured name;
    `desa` is that code or null. `official_token` is an HMAC of the opaque official
    reference (never a name). `visit_id` links a finding made on a Serasa Desa visit.

    v1: first version.
    """

    finding_id: str
    unit: EventLine
    unit_name: EventLine
    desa: EventLine | None
    official_token: Token | None
    category: FindingCategory
    severity: FindingSeverity
    source: FindingSource
    found_on: date
    description: Sealed
    visit_id: EventLine | None


class FindingFollowedUp(_OfFinding, DomainEvent):
    """Action was taken on an open finding, possibly with a sanction; it stays open.

    v1: first version.
    """

    finding_id: str
    followed_up_on: date
    action: Sealed
    sanction: Sealed | None


class FindingResolved(_OfFinding, DomainEvent):
    """An open finding was settled by a final action; it no longer counts as open.

    v1: first version.
    """

    finding_id: str
    resolved_on: date
    action: Sealed


class FindingDismissed(_OfFinding, DomainEvent):
    """A finding was found invalid. It stays in the log but leaves every count.

    v1: first version.
    """

    finding_id: str
    dismissed_on: date
    reason: Sealed


def finding_ref(tenant: Tenant, finding_id: str) -> AggregateRef:
    """Where one finding's events live in the log."""
    return AggregateRef(tenant, SERVICE, FINDING_AGGREGATE, finding_id)
