"""The distribution service's commands, queries and replies, and its public operations."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from shared.contracts.base import (
    FREE_TEXT,
    ONE_LINE,
    Command,
    Int,
    IsoDate,
    LongText,
    Operation,
    Part,
    Query,
    QueryInt,
    Reply,
    Text,
)
from shared.events.distribution import MONTH_PATTERN, SERVICE, Aid, Registry, Relation

NUMBER_16 = r"^[0-9]{16}$"
AID_ORDER = list(Aid)
QueryYear = Annotated[QueryInt, Field(ge=2000, le=2100)]
DesaCode = Annotated[str, StringConstraints(min_length=1, max_length=40), ONE_LINE]
Address = Annotated[str, StringConstraints(min_length=1, max_length=500), FREE_TEXT]
"""A postal address may be written over several lines, as registry exports quote it."""
FIELD_WORK = frozenset({"admin", "camat", "operator"})
"""Who may write households and rounds: a village operator too, in its own desa."""
STOCK_KEEPERS = frozenset({"admin", "camat", "bendahara"})
"""Who may adjust the package stock: the kecamatan's treasurer, the camat, the admin."""
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
"""The largest evidence file (5 MiB)."""
EVIDENCE_B64_MAX = (EVIDENCE_MAX_BYTES + 2) // 3 * 4


def canonical_aid(values: list[Aid]) -> list[Aid]:
    """Each aid once, in the contract's order."""
    return sorted(set(values), key=AID_ORDER.index)


# -- households v2 (H1: members, PATCH, aid lists) ----------------------------------------
AID_PROGRAMS = (Aid.PKH, Aid.BPNT, Aid.BLT_DD, Aid.PBI_JK)
"""The programmes whose beneficiary lists may be imported."""
MAX_MEMBERS = 30


IMPORT_ALIASES = {
    **dict.fromkeys(("nokk", "no_kk", "nomor_kk", "no_kartu_keluarga"), "no_kk"),
    **dict.fromkeys(("nik", "nik_krt", "nik_kk", "nik_kepala_keluarga"), "nik"),
    **dict.fromkeys(
        ("nama", "nama_krt", "nama_kepala_keluarga", "nama_kepala_rumah_tangga"), "name"
    ),
    **dict.fromkeys(("alamat", "alamat_lengkap"), "address"),
    **dict.fromkeys(("kode_desa", "kddesa", "kd_desa", "kode_wilayah", "kode_kelurahan"), "desa"),
    **dict.fromkeys(("desil", "desil_nasional", "peringkat_desil"), "desil"),
    **dict.fromkeys(("sumber_data", "registri"), "registry"),
    **dict.fromkeys(("tanggal_snapshot", "tgl_snapshot", "tanggal_data"), "snapshot_date"),
    **dict.fromkeys(("bansos", "bantuan"), "aid"),
    **dict.fromkeys(("anggota", "anggota_keluarga", "anggota_art"), "members"),
}
"""SIKS-NG / DTSEN export headers taken as the contract's columns (compared in lower case,
spaces, dots and hyphens read as `_`)."""


class Member(Part):
    """A family member besides the head: NIK and name (personal data, sealed)."""

    nik: str = Field(pattern=NUMBER_16, repr=False)
    name: Text = Field(repr=False)


def distinct_members(members: list[Member] | None) -> list[Member] | None:
    """Each member's NIK once."""
    niks = [m.nik for m in members or []]
    if len(set(niks)) != len(niks):
        raise ValueError("a member's NIK is given twice")
    return members


def _members_apart_from_head(members: list[Member], info: ValidationInfo) -> list[Member]:
    """Each member's NIK once, none of them the head's."""
    if any(m.nik == info.data.get("nik") for m in members):
        raise ValueError("a member's NIK is the head's")
    distinct_members(members)
    return members


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
    members: list[Member] = Field(default_factory=list, max_length=MAX_MEMBERS, repr=False)

    _aid = field_validator("aid")(canonical_aid)
    _members = field_validator("members")(_members_apart_from_head)


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


class ChangeHousehold(Command):
    """Change the fields given of the household of the path (the others stay); `members`
    replaces the whole list of members."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "household_change"

    desa: DesaCode | None = None
    desil: Int | None = Field(default=None, ge=1, le=10)
    registry: Registry | None = None
    snapshot_date: IsoDate | None = None
    address: Address | None = Field(default=None, repr=False)
    name: Text | None = Field(default=None, repr=False)
    members: list[Member] | None = Field(default=None, max_length=MAX_MEMBERS, repr=False)

    _members = field_validator("members")(distinct_members)


class ImportAid(Command):
    """A beneficiary list of one programme as of a date, from a named source document, as
    CSV with a column `nik`: the households holding those NIKs hold the programme from
    `as_of` on."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "household_aid_import"

    program: Literal[Aid.PKH, Aid.BPNT, Aid.BLT_DD, Aid.PBI_JK]
    as_of: IsoDate
    source: Text
    csv: str = Field(max_length=20_000_000, repr=False)


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


class ReceivedBy(Part):
    """Who took the package: the head (SENDIRI, the default), a family member (KELUARGA) or
    a representative (WAKIL), by name (personal data: sealed with the household's key)."""

    name: Text | None = Field(default=None, repr=False)
    relation: Relation = Relation.SENDIRI


class HandOutPackage(Command):
    """Hand one package of the round (the `{id}` of the path) to a household; `received_by`
    absent: the head took it."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "package_hand_out"

    household_id: UUID
    distributed_on: IsoDate
    received_by: ReceivedBy = Field(default_factory=ReceivedBy)


class AdjustStock(Command):
    """Correct the package stock: negative for damaged or lost packages, positive for
    packages found in a count."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "stock_adjust"

    packages: Int = Field(ge=-100_000, le=100_000)
    reason: LongText
    adjusted_on: IsoDate

    @field_validator("packages")
    @classmethod
    def _non_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("must not be zero")
        return value


class AttachEvidence(Command):
    """Keep a photo or a signed scan (JPEG, PNG or PDF, at most 5 MiB) of the hand-out of
    the path: `file` is its bytes in base64 (the gateway reads the multipart field `file`)."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "package_evidence_attach"

    file: str = Field(max_length=EVIDENCE_B64_MAX, pattern=r"^[A-Za-z0-9+/]*={0,2}$", repr=False)
    """The file's bytes in base64 (the gateway encodes the upload): nothing else passes."""


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


class AidImported(Reply):
    """`unmatched`: the list's NIKs no household holds (counted, never kept)."""

    matched: int
    unmatched: int
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
    bast_no: str


class AdjustmentRef(Reply):
    adjustment_id: str


class EvidenceRef(Reply):
    evidence_id: str
    sha256: str


class PackageQuery(Query):
    """One hand-out of the path: its berita acara number, who received it, its evidence."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "package_get"


class Receiver(Reply):
    """Who received a package, masked (None for a hand-out recorded before v2)."""

    name_masked: str | None
    relation: Relation | None


class Evidence(Reply):
    evidence_id: str
    sha256: str


class PackageView(Reply):
    package_id: str
    household_id: str
    round_id: str
    distributed_on: date
    value_idr: int
    bast_no: str | None
    received_by: Receiver
    evidence: list[Evidence]


class PackagesQuery(Query):
    """The packages handed out in one round, in BAST order (the round page, its documents)."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "packages"

    round_id: Text


class Packages(Reply):
    packages: list[PackageView]


class HouseholdQuery(Query):
    """The masked household of the path."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "household_get"


class HouseholdMembersQuery(Query):
    """The family members of the household of the path, masked (for the dashboard)."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "household_members"


class MaskedMember(Reply):
    name_masked: str
    nik_masked: str


class HouseholdMembers(Reply):
    household_id: str
    members: list[MaskedMember]


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
    """`in_stock = procured - distributed + adjusted`."""

    procured: int
    distributed: int
    adjusted: int
    in_stock: int


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
        "PATCH",
        "/households/{id}",
        ChangeHousehold,
        MaskedHousehold,
        "Change a household",
        "changeHousehold",
        writers=FIELD_WORK,
    ),
    Operation(
        "POST",
        "/households/aid-import",
        ImportAid,
        AidImported,
        "Import a programme's beneficiary list (CSV with a column nik)",
        "importAidList",
        status=201,
        also=200,
        writers=FIELD_WORK,
        body="csv",
        query=("program", "as_of", "source"),
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
        "GET",
        "/packages/{id}",
        PackageQuery,
        PackageView,
        "A hand-out: its BAST number, who received it, its evidence",
        "getPackage",
    ),
    Operation(
        "POST",
        "/packages/{id}/evidence",
        AttachEvidence,
        EvidenceRef,
        "Attach a photo or signed scan to a hand-out",
        "attachPackageEvidence",
        status=201,
        also=200,
        writers=FIELD_WORK,
        body="file",
    ),
    Operation(
        "POST",
        "/stock/adjustments",
        AdjustStock,
        AdjustmentRef,
        "Adjust the package stock (damaged, lost or found packages)",
        "adjustStock",
        status=201,
        writers=STOCK_KEEPERS,
    ),
    Operation("GET", "/stock", StockQuery, Stock, "The package stock", "getStock"),
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
