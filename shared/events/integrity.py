"""Event contracts published by the integrity service: findings (temuan) and their fate."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from shared.events.base import DomainEvent, JsonDict, Sealed, register_upcaster
from shared.strict import EventLine
from shared.tenancy import AggregateRef, Tenant

SERVICE = "integrity"
FINDING_AGGREGATE = "finding"


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


class SubjectType(StrEnum):
    """Whom a finding concerns, which decides the law its sanctions come from: a civil
    servant (ASN, PP 94/2021) or a village head or village official (UU 6/2014)."""

    ASN = "ASN"
    KEPALA_DESA = "KEPALA_DESA"
    PERANGKAT_DESA = "PERANGKAT_DESA"


class Sanction(StrEnum):
    """The sanctions a follow-up may impose (which fit a finding: `SANCTIONS`)."""

    TEGURAN_LISAN = "TEGURAN_LISAN"
    TEGURAN_TERTULIS = "TEGURAN_TERTULIS"
    PERNYATAAN_TIDAK_PUAS = "PERNYATAAN_TIDAK_PUAS"
    POTONG_TUKIN_25_6B = "POTONG_TUKIN_25_6B"
    POTONG_TUKIN_25_9B = "POTONG_TUKIN_25_9B"
    POTONG_TUKIN_25_12B = "POTONG_TUKIN_25_12B"
    TURUN_JABATAN_12B = "TURUN_JABATAN_12B"
    BEBAS_JABATAN_12B = "BEBAS_JABATAN_12B"
    PEMBERHENTIAN_SEMENTARA = "PEMBERHENTIAN_SEMENTARA"
    PEMBERHENTIAN = "PEMBERHENTIAN"


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
    `desa` is that code or null. `subject_type` says whom it concerns (and so which
    sanctions fit). `official` is the official it concerns (a NIP or a name), sealed
    like the free text; `official_id` is the same official's id in the kabupaten, the
    same for every finding naming them: a UUID derived from an HMAC under the
    kabupaten's official-lookup key, a random key of the key store (never the
    deployment secret), so the log alone says nothing of who it is. `visit_id` links a
    finding made on a Serasa Desa visit.

    v1: first version; `official_token`: an HMAC, under the deployment secret, of an
    opaque official reference.
    v2: `subject_type` (v1: ASN), `official` (v1: none) and `official_id`, which for a
    v1 event is its `official_token` (so v1 findings of one reference still match).
    """

    event_version: ClassVar[int] = 2

    finding_id: str
    unit: EventLine
    unit_name: EventLine
    desa: EventLine | None
    subject_type: SubjectType
    official: Sealed | None
    official_id: EventLine | None
    category: FindingCategory
    severity: FindingSeverity
    source: FindingSource
    found_on: date
    description: Sealed
    visit_id: EventLine | None


@register_upcaster("FindingRecorded", 1)
def _asn_with_legacy_token(payload: JsonDict) -> JsonDict:
    """v1 → v2: every v1 finding concerned an ASN; its token is its official's id."""
    legacy = {k: v for k, v in payload.items() if k != "official_token"}
    return {
        **legacy,
        "subject_type": SubjectType.ASN.value,
        "official": None,
        "official_id": payload.get("official_token"),
    }


class FindingFollowedUp(_OfFinding, DomainEvent):
    """Action was taken on an open finding, possibly with a sanction; it stays open.

    `sanction_code` is the sanction imposed, one that fits the finding's subject and
    severity (`SANCTIONS`), or null for none.

    v1: first version; `sanction` a free text, sealed.
    v2: `sanction_code` added (v1: none); `sanction` keeps a v1 event's free text and is
    null from v2 on.
    """

    event_version: ClassVar[int] = 2

    finding_id: str
    followed_up_on: date
    action: Sealed
    sanction: Sealed | None
    sanction_code: Sanction | None


@register_upcaster("FindingFollowedUp", 1)
def _no_sanction_code(payload: JsonDict) -> JsonDict:
    """v1 → v2: a v1 sanction was free text, kept sealed as it was."""
    return {**payload, "sanction_code": None}


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


_ASN = {
    FindingSeverity.RINGAN: (
        Sanction.TEGURAN_LISAN,
        Sanction.TEGURAN_TERTULIS,
        Sanction.PERNYATAAN_TIDAK_PUAS,
    ),
    FindingSeverity.SEDANG: (
        Sanction.POTONG_TUKIN_25_6B,
        Sanction.POTONG_TUKIN_25_9B,
        Sanction.POTONG_TUKIN_25_12B,
    ),
    FindingSeverity.BERAT: (
        Sanction.TURUN_JABATAN_12B,
        Sanction.BEBAS_JABATAN_12B,
        Sanction.PEMBERHENTIAN,
    ),
}
_VILLAGE = (
    Sanction.TEGURAN_LISAN,
    Sanction.TEGURAN_TERTULIS,
    Sanction.PEMBERHENTIAN_SEMENTARA,
    Sanction.PEMBERHENTIAN,
)
SANCTIONS: dict[tuple[SubjectType, FindingSeverity], tuple[Sanction, ...]] = {
    **{(SubjectType.ASN, severity): codes for severity, codes in _ASN.items()},
    **{
        (subject, severity): _VILLAGE
        for subject in (SubjectType.KEPALA_DESA, SubjectType.PERANGKAT_DESA)
        for severity in FindingSeverity
    },
}
"""The sanctions that fit a finding, by its subject and severity: for an ASN those of
PP 94/2021 for the severity; for a kepala desa or perangkat desa those of UU 6/2014,
whatever the severity."""


def finding_ref(tenant: Tenant, finding_id: str) -> AggregateRef:
    """Where one finding's events live in the log."""
    return AggregateRef(tenant, SERVICE, FINDING_AGGREGATE, finding_id)
