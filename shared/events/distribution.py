"""Event contracts published by the distribution service (households, rounds, packages)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from shared.events.base import DomainEvent, JsonDict, Sealed, register_upcaster
from shared.strict import EventLine, EventText
from shared.tenancy import AggregateRef, Tenant

SERVICE = "distribution"
HOUSEHOLD_AGGREGATE = "household"
LEDGER_AGGREGATE = "ledger"
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"


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
    head's NIK, head's name, address and `members` (`[{"nik", "name"}]`), opened only with
    the household's data key.

    v1: also `no_kk_hmac` / `nik_hmac`, the numbers' lookup HMACs under the deployment
        secret: kept in the log for good, they let anyone holding the secret test a guessed
        NIK of a forgotten household (10^9 tries). Upcast by dropping them.
    v2: no HMACs: the uniqueness index is rebuilt from the sealed data under a rotating
        lookup key (services/distribution/claims.py); `personal` may hold `members`.
    """

    event_version: ClassVar[int] = 2

    household_id: str
    desa: EventLine
    desil: int = Field(ge=1, le=10)
    registry: Registry
    snapshot_date: date
    aid: list[Aid]
    personal: Sealed

    def sealing_key(self, ref: AggregateRef) -> str:
        return self.household_id

    def sealing_context(self, ref: AggregateRef, field: str) -> str:
        return f"household:{self.household_id}"


@register_upcaster("HouseholdRegistered", 1)
def _registered_without_hmacs(payload: JsonDict) -> JsonDict:
    return {k: v for k, v in payload.items() if k not in ("no_kk_hmac", "nik_hmac")}


class HouseholdChanged(DomainEvent):
    """A registered household was corrected or updated from the registry: each field given
    is its new value, None is unchanged. `moved_from` is the desa it left when `desa` moved
    it (its packages stay where they were handed out); `personal` is the whole sealed
    personal record after the change (as in `HouseholdRegistered`), when it changed.

    v1: first version.
    """

    household_id: str
    desa: EventLine | None = None
    moved_from: EventLine | None = None
    desil: int | None = Field(default=None, ge=1, le=10)
    registry: Registry | None = None
    snapshot_date: date | None = None
    personal: Sealed | None = None

    def sealing_key(self, ref: AggregateRef) -> str:
        return self.household_id

    def sealing_context(self, ref: AggregateRef, field: str) -> str:
        return f"household:{self.household_id}"


class HouseholdAidStatusChanged(DomainEvent):
    """From `as_of` on, the household receives exactly `aid` (until a later change).
    `source` names the beneficiary list it came from (an aid-list import), None when it was
    set by hand.

    v1: no `source`; upcast with `source` None.
    v2: `source`.
    """

    event_version: ClassVar[int] = 2

    household_id: str
    aid: list[Aid]
    as_of: date
    source: EventLine | None = None


@register_upcaster("HouseholdAidStatusChanged", 1)
def _aid_change_by_hand(payload: JsonDict) -> JsonDict:
    return payload | {"source": None}


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


class Relation(StrEnum):
    """Who took a package on the household's behalf: the head (SENDIRI), a member of the
    family (KELUARGA) or a representative (WAKIL)."""

    SENDIRI = "SENDIRI"
    KELUARGA = "KELUARGA"
    WAKIL = "WAKIL"


class PackageDistributed(DomainEvent):
    """One paket sembako was handed to a household in a round. Carries the derived desa,
    month, the lot (procurement) it came from first in, first out, and its value; its
    berita acara's number `bast_no` (`BAST/<kec>/<year>/<n>`, n gap-free per kecamatan and
    year of `distributed_on`, derived by the ledger) and who received it: `relation`, and
    `received_name` sealed under the household's key (None: the head, SENDIRI, by default).

    v1: first version.
    v2: `bast_no`, `relation`, `received_name`; `procurement_id` None and `value_idr` 0 for
        a package from a positive stock adjustment when no lot was ever bought. A v1 event is
        read with all three None: it had no berita acara, so it takes no number and the
        year's numbering counts only v2 hand-outs (the numbers stay what they were).
    """

    event_version: ClassVar[int] = 2

    package_id: str
    round_id: str
    household_id: str
    desa: str
    month: str = Field(pattern=MONTH_PATTERN)
    distributed_on: date
    procurement_id: str | None
    value_idr: int = Field(ge=0)
    bast_no: str | None = None
    relation: Relation | None = None
    received_name: Sealed | None = None

    def sealing_key(self, ref: AggregateRef) -> str:
        return self.household_id

    def sealing_context(self, ref: AggregateRef, field: str) -> str:
        return received_context(self.package_id)


@register_upcaster(PackageDistributed.type_name(), 1)
def _package_v1(payload: JsonDict) -> JsonDict:
    """Hand-outs recorded before v2: no berita acara, nobody named as receiving."""
    return payload | {"bast_no": None, "relation": None, "received_name": None}


def received_context(package_id: str) -> str:
    """What a package's sealed receiver name is bound to (AES-GCM associated data)."""
    return f"package:{package_id}:received_by"


class StockAdjusted(DomainEvent):
    """The kecamatan's package stock was corrected by `packages` (negative: damaged or lost
    packages written off; positive: packages found in a count), for `reason`, on
    `adjusted_on`. `in_stock` is the stock after it (procured - distributed + adjusted).

    v1: first version.
    """

    adjustment_id: str
    packages: int
    reason: EventText
    adjusted_on: date
    in_stock: int = Field(ge=0)


class PackageEvidenceAttached(DomainEvent):
    """A photo or a signed scan of a hand-out's berita acara was kept outside the log (the
    kabupaten's evidence object store, under `object_name`); its SHA-256 is here, so the file
    can be proven to be the one attached.

    v1: first version.
    """

    evidence_id: str
    package_id: str
    sha256: str = Field(pattern=SHA256_PATTERN)
    size: int = Field(ge=1)
    content_type: EventLine
    object_name: EventLine


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


def evidence_bucket(kab: str) -> str:
    """The kabupaten's object store of hand-out evidence files (photos, signed scans)."""
    return f"{SERVICE}_evidence_{kab}"


RECIPIENTS_EXPORT_AGGREGATE = "recipients_export"


class RecipientsExported(DomainEvent):
    """Someone (`exported_by`, a `role` allowed to: admin or camat) exported the recipients
    of the kecamatan's packages by name, for the Dinas Sosial: the year (and the one `desa`,
    if given) and how many hand-outs (`rows`) the file listed. The names themselves are
    not here; the event is what shows later who took names out of the system, and when
    (its envelope's `occurred_at`).

    v1: first version.
    """

    export_id: str
    year: int = Field(ge=1900, le=9999)
    desa: str | None = None
    rows: int = Field(ge=0)
    exported_by: EventLine
    role: EventLine


def recipients_export_ref(tenant: Tenant, export_id: str) -> AggregateRef:
    """One recipients export: the record that it was made."""
    return AggregateRef(tenant, SERVICE, RECIPIENTS_EXPORT_AGGREGATE, export_id)
