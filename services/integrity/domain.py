"""Findings (temuan): their state, the rules deciding their events, and how state evolves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.contracts.integrity import (
    DismissFinding,
    FollowUpFinding,
    RecordFinding,
    ResolveFinding,
)
from shared.errors import DomainError, InvalidInput
from shared.events.base import DomainEvent
from shared.events.integrity import (
    SANCTIONS,
    FindingDismissed,
    FindingFollowedUp,
    FindingRecorded,
    FindingResolved,
    FindingSeverity,
    FindingSource,
    SubjectType,
)
from shared.events.scheduler import Desa, KecamatanConfigured
from shared.tenancy import dot


class Status(StrEnum):
    RECORDED = "RECORDED"
    FOLLOWED_UP = "FOLLOWED_UP"
    RESOLVED = "RESOLVED"
    DISMISSED = "DISMISSED"


OPEN = frozenset({Status.RECORDED, Status.FOLLOWED_UP})


class Finding(BaseModel):
    """One finding as its events left it; `status` is None until it is recorded."""

    model_config = ConfigDict(frozen=True)

    finding_id: str | None = None
    status: Status | None = None
    found_on: date | None = None
    follow_ups: int = 0
    subject_type: SubjectType = SubjectType.ASN
    severity: FindingSeverity = FindingSeverity.RINGAN


class UnknownFinding(DomainError):
    status = 404

    def __init__(self, finding_id: str) -> None:
        super().__init__(
            "NOT_FOUND",
            f"Temuan {finding_id} tidak ditemukan",
            f"Finding {finding_id} not found",
        )


class AlreadyDismissed(DomainError):
    def __init__(self, finding_id: str) -> None:
        super().__init__(
            "FINDING_DISMISSED",
            "Temuan ini sudah dinyatakan tidak valid (dibatalkan) dan tidak dapat diubah lagi",
            "This finding was dismissed as invalid and can no longer be changed",
            extra={"finding_id": finding_id},
        )


class AlreadyResolved(DomainError):
    def __init__(self, finding_id: str) -> None:
        super().__init__(
            "FINDING_RESOLVED",
            "Temuan ini sudah diselesaikan dan tidak dapat diubah lagi",
            "This finding is already resolved and can no longer be changed",
            extra={"finding_id": finding_id},
        )


@dataclass(frozen=True)
class UnitRef:
    """A unit resolved against the kecamatan: `unit` is the desa code or the unit's name."""

    unit: str
    name: str
    desa: str | None


@dataclass(frozen=True)
class Directory:
    """The kecamatan's desa and units, from its latest set-up."""

    desa: tuple[Desa, ...]
    units: tuple[str, ...]

    @classmethod
    def of(cls, configured: KecamatanConfigured) -> Directory:
        return cls(tuple(configured.desa), tuple(configured.units))

    def resolve(self, text: str) -> UnitRef | None:
        """A desa by code (with or without dots) or name, else a unit by name."""
        wanted = text.strip()
        folded = wanted.casefold()
        code = dot(wanted) if wanted.replace(".", "").isdigit() else None
        desa = next((d for d in self.desa if d.code == code), None) or next(
            (d for d in self.desa if d.name.casefold() == folded), None
        )
        if desa is not None:
            return UnitRef(desa.code, desa.name, desa.code)
        for unit in self.units:
            if unit.casefold() == folded:
                return UnitRef(unit, unit, None)
        return None


@dataclass(frozen=True)
class Visit:
    """A Serasa Desa visit that was held."""

    visit_id: str
    host_desa: str | None
    held_on: date


@dataclass(frozen=True)
class Recording:
    """What recording needs besides the command; `texts` holds its free text and the
    official named, marked personal (`Clear`) for the runner to seal; `official_id` the
    id of that official (`official_id_of`)."""

    finding_id: str
    today: date
    directory: Directory
    texts: Mapping[str, str]
    official_id: str | None = None
    visit: Visit | None = None


@dataclass(frozen=True)
class Acting:
    """What acting on a finding needs besides the command."""

    finding_id: str
    today: date
    texts: Mapping[str, str] = field(default_factory=dict)


def _check_visit(cmd: RecordFinding, visit: Visit | None) -> None:
    if cmd.visit_id is None:
        return
    if cmd.source is not FindingSource.SERASA_DESA:
        raise InvalidInput(
            "visit_id",
            "Kunjungan hanya dapat dikaitkan bila sumber temuan SERASA_DESA",
            "A visit can only be linked when the finding's source is SERASA_DESA",
        )
    if visit is None or visit.visit_id != cmd.visit_id:
        raise InvalidInput(
            "visit_id",
            "Kunjungan Serasa Desa tersebut tidak dikenal di kecamatan ini",
            "That Serasa Desa visit is not known in this kecamatan",
        )
    if cmd.found_on < visit.held_on:
        raise InvalidInput(
            "found_on",
            "Tanggal temuan tidak boleh sebelum tanggal kunjungan yang dikaitkan",
            "The finding date cannot be before the linked visit",
        )


def admit(cmd: RecordFinding, directory: Directory, today: date, visit: Visit | None) -> UnitRef:
    """The recording rules that need no finding state: a known unit, no future date, and a
    linked visit that exists, fits the source and does not postdate the finding."""
    unit = directory.resolve(cmd.unit)
    if unit is None:
        raise InvalidInput(
            "unit",
            "Unit tidak dikenal: bukan unit atau desa kecamatan ini",
            "Unknown unit: not a unit or desa of this kecamatan",
        )
    if cmd.found_on > today:
        raise InvalidInput(
            "found_on",
            "Tanggal temuan tidak boleh di masa depan",
            "The finding date cannot be in the future",
        )
    _check_visit(cmd, visit)
    return unit


def record_finding(state: Finding, cmd: RecordFinding, ctx: Recording) -> list[DomainEvent]:
    if state.status is not None:
        return []
    unit = admit(cmd, ctx.directory, ctx.today, ctx.visit)
    return [
        FindingRecorded(
            finding_id=ctx.finding_id,
            unit=unit.unit,
            unit_name=unit.name,
            desa=unit.desa,
            subject_type=cmd.subject_type,
            official=ctx.texts.get("official"),
            official_id=ctx.official_id,
            category=cmd.category,
            severity=cmd.severity,
            source=cmd.source,
            found_on=cmd.found_on,
            description=ctx.texts["description"],
            visit_id=cmd.visit_id,
        )
    ]


def _require_open(state: Finding, finding_id: str) -> None:
    if state.status is None:
        raise UnknownFinding(finding_id)
    if state.status is Status.DISMISSED:
        raise AlreadyDismissed(finding_id)
    if state.status is Status.RESOLVED:
        raise AlreadyResolved(finding_id)


def official_key(official: str) -> str:
    """The same official however the name or NIP was typed: a NIP by its digits alone
    (spaces, dots and dashes dropped), a name by its words, case folded."""
    digits = "".join(ch for ch in official if ch not in " .-")
    if digits.isdigit():
        return f"nip:{digits}"
    return "name:" + " ".join(official.casefold().split())


def _check_sanction(state: Finding, cmd: FollowUpFinding) -> None:
    """A sanction is one the law gives for the finding's subject and severity."""
    fitting = SANCTIONS[(state.subject_type, state.severity)]
    if cmd.sanction is not None and cmd.sanction not in fitting:
        allowed = ", ".join(fitting)
        raise InvalidInput(
            "sanction",
            f"Sanksi {cmd.sanction} tidak sesuai untuk temuan {state.severity} atas"
            f" {state.subject_type}; pilih salah satu: {allowed}",
            f"Sanction {cmd.sanction} does not fit a {state.severity} finding about"
            f" {state.subject_type}; choose one of: {allowed}",
        )


def follow_up_finding(state: Finding, cmd: FollowUpFinding, ctx: Acting) -> list[DomainEvent]:
    _require_open(state, ctx.finding_id)
    _check_sanction(state, cmd)
    return [
        FindingFollowedUp(
            finding_id=ctx.finding_id,
            followed_up_on=ctx.today,
            action=ctx.texts["action"],
            sanction=None,
            sanction_code=cmd.sanction,
        )
    ]


def resolve_finding(state: Finding, cmd: ResolveFinding, ctx: Acting) -> list[DomainEvent]:
    _require_open(state, ctx.finding_id)
    return [
        FindingResolved(
            finding_id=ctx.finding_id, resolved_on=ctx.today, action=ctx.texts["action"]
        )
    ]


def dismiss_finding(state: Finding, cmd: DismissFinding, ctx: Acting) -> list[DomainEvent]:
    _require_open(state, ctx.finding_id)
    return [
        FindingDismissed(
            finding_id=ctx.finding_id, dismissed_on=ctx.today, reason=ctx.texts["reason"]
        )
    ]


def evolve(state: Finding, event: DomainEvent) -> Finding:
    match event:
        case FindingRecorded():
            return Finding(
                finding_id=event.finding_id,
                status=Status.RECORDED,
                found_on=event.found_on,
                subject_type=event.subject_type,
                severity=event.severity,
            )
        case FindingFollowedUp():
            return state.model_copy(
                update={"status": Status.FOLLOWED_UP, "follow_ups": state.follow_ups + 1}
            )
        case FindingResolved():
            return state.model_copy(update={"status": Status.RESOLVED})
        case FindingDismissed():
            return state.model_copy(update={"status": Status.DISMISSED})
    return state
