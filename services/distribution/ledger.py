"""The kecamatan's distribution ledger: rounds, hand-outs with their berita acara numbers,
stock adjustments and evidence. Pure decide / evolve, no I/O, no clock (`today` is given).

Everything that must hold under concurrent writers lives in this one aggregate: a round's
quota, one package per household and month, the stock (procured - distributed + adjusted)
and the BAST numbers, gap-free per year; the conditional append is the lock."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel, ConfigDict

from services.distribution.domain import (
    DEFAULT_EXCLUDING_AID,
    Household,
    canonical_desa,
    existing,
    month_of,
)
from services.distribution.refusals import DistributionError, unknown_desa
from shared.contracts.distribution import AdjustStock, OpenRound, ReceivedBy
from shared.errors import InvalidInput, NotFound
from shared.events.base import Clear, DomainEvent
from shared.events.distribution import (
    Aid,
    PackageDistributed,
    PackageEvidenceAttached,
    Relation,
    RoundClosed,
    RoundOpened,
    StockAdjusted,
)
from shared.tenancy import undot


@dataclass(frozen=True)
class Lot:
    """A procured lot of packages (`PackagesProcured`), used first in, first out."""

    procurement_id: str
    packages: int
    unit_price_idr: int


def lot_of(lots: Sequence[Lot], index: int) -> Lot | None:
    """The lot the `index`-th package ever taken from stock (0-based) comes from, if any."""
    for lot in lots:
        if index < lot.packages:
            return lot
        index -= lot.packages
    return None


def procured(lots: Sequence[Lot]) -> int:
    return sum(lot.packages for lot in lots)


class Round(BaseModel):
    model_config = ConfigDict(frozen=True)

    round_id: str
    desa: str
    month: str
    quota: int
    packages: int = 0
    closed: bool = False


class Ledger(BaseModel):
    """The kecamatan's rounds and hand-outs: everything a hand-out must see at once.
    `written_off` sums the negative adjustments (they take packages from the oldest lot, as
    hand-outs do); `bast` is the last BAST number of each year; `packages` the desa of each
    package handed out and `evidence` the files attached to it (SHA-256 -> evidence id)."""

    model_config = ConfigDict(frozen=True)

    rounds: dict[str, Round] = {}
    by_desa_month: dict[tuple[str, str], str] = {}
    received: frozenset[tuple[str, str]] = frozenset()
    distributed: int = 0
    adjusted: int = 0
    written_off: int = 0
    bast: dict[int, int] = {}
    packages: dict[str, str] = {}
    evidence: dict[str, dict[str, str]] = {}

    def in_stock(self, lots: Sequence[Lot]) -> int:
        return procured(lots) - self.distributed + self.adjusted


def bast_number(bast_no: str) -> int:
    """n of `BAST/<kec>/<year>/<n>`."""
    return int(bast_no.rsplit("/", 1)[1])


def _distributed(state: Ledger, event: PackageDistributed) -> Ledger:
    served = state.rounds[event.round_id]
    served = served.model_copy(update={"packages": served.packages + 1})
    bast = state.bast
    if event.bast_no is not None:
        year = event.distributed_on.year
        bast = bast | {year: max(bast.get(year, 0), bast_number(event.bast_no))}
    return state.model_copy(
        update={
            "rounds": state.rounds | {event.round_id: served},
            "received": state.received | {(event.household_id, event.month)},
            "distributed": state.distributed + 1,
            "bast": bast,
            "packages": state.packages | {event.package_id: event.desa},
        }
    )


def evolve_ledger(state: Ledger, event: DomainEvent) -> Ledger:
    if isinstance(event, RoundOpened):
        opened = Round(
            round_id=event.round_id, desa=event.desa, month=event.month, quota=event.quota
        )
        return state.model_copy(
            update={
                "rounds": state.rounds | {event.round_id: opened},
                "by_desa_month": state.by_desa_month | {(event.desa, event.month): event.round_id},
            }
        )
    if isinstance(event, PackageDistributed):
        return _distributed(state, event)
    if isinstance(event, RoundClosed):
        closed = state.rounds[event.round_id].model_copy(update={"closed": True})
        return state.model_copy(update={"rounds": state.rounds | {event.round_id: closed}})
    if isinstance(event, StockAdjusted):
        return state.model_copy(
            update={
                "adjusted": state.adjusted + event.packages,
                "written_off": state.written_off + max(0, -event.packages),
            }
        )
    if isinstance(event, PackageEvidenceAttached):
        files = state.evidence.get(event.package_id, {}) | {event.sha256: event.evidence_id}
        return state.model_copy(update={"evidence": state.evidence | {event.package_id: files}})
    return state


def decide_open_round(
    state: Ledger, round_id: str, cmd: OpenRound, desa_codes: Collection[str]
) -> list[DomainEvent]:
    desa = canonical_desa(cmd.desa)
    if desa not in desa_codes:
        raise unknown_desa()
    existing_round = state.by_desa_month.get((desa, cmd.month))
    if existing_round is not None:
        raise DistributionError("ROUND_EXISTS", round_id=existing_round)
    return [RoundOpened(round_id=round_id, desa=desa, month=cmd.month, quota=cmd.quota)]


def open_round_of(state: Ledger, round_id: str) -> Round:
    found = state.rounds.get(round_id)
    if found is None:
        raise NotFound("round", round_id)
    if found.closed:
        raise DistributionError("ROUND_CLOSED", round_id=round_id)
    return found


def decide_close_round(state: Ledger, round_id: str) -> list[DomainEvent]:
    closing = open_round_of(state, round_id)
    return [
        RoundClosed(
            round_id=round_id, desa=closing.desa, month=closing.month, packages=closing.packages
        )
    ]


def not_in_future(name: str, day: date, today: date) -> None:
    """Nothing is recorded as done before it was (today judged in Asia/Jakarta)."""
    if day > today:
        raise InvalidInput(
            name,
            "Tanggal tidak boleh di masa depan",
            "The date cannot be in the future",
        )


@dataclass(frozen=True)
class HandOut:
    """A hand-out as the ledger decides it: the household as loaded, the known lots, the
    kecamatan (for the BAST number) and today in Jakarta."""

    round_id: str
    package_id: str
    household_id: str
    household: Household | None
    distributed_on: date
    lots: Sequence[Lot]
    kec: str
    today: date
    received_by: ReceivedBy = field(default_factory=ReceivedBy)
    excluding: Collection[Aid] = DEFAULT_EXCLUDING_AID


def served_round(state: Ledger, cmd: HandOut) -> Round:
    """The round a hand-out is for, when it may still hand out on that date."""
    found = state.rounds.get(cmd.round_id)
    if found is None:
        raise NotFound("round", cmd.round_id)
    if cmd.household is None:
        raise NotFound("household", cmd.household_id)
    not_in_future("distributed_on", cmd.distributed_on, cmd.today)
    if month_of(cmd.distributed_on) != found.month:
        raise InvalidInput(
            "distributed_on",
            f"Tanggal penyerahan harus di bulan putaran ({found.month})",
            f"The hand-out date must be inside the round's month ({found.month})",
        )
    return open_round_of(state, cmd.round_id)


def receiver(received_by: ReceivedBy) -> tuple[Relation, Clear | None]:
    """Who took it; a family member or a representative must be named."""
    if received_by.name is None and received_by.relation != Relation.SENDIRI:
        raise InvalidInput(
            "received_by.name",
            "Nama penerima wajib diisi bila bukan kepala keluarga sendiri",
            "The receiver's name is required unless the head took the package",
        )
    name = Clear(received_by.name) if received_by.name is not None else None
    return received_by.relation, name


def taken_lot(state: Ledger, lots: Sequence[Lot]) -> Lot | None:
    """The lot the next package comes from: first in, first out after what was handed out
    and written off; past every lot (packages found in a count), the latest lot's price;
    None when the fund never bought any."""
    return lot_of(lots, state.distributed + state.written_off) or (lots[-1] if lots else None)


def next_bast(state: Ledger, kec: str, day: date) -> str:
    """The hand-out's berita acara number: the next of its year, gap-free."""
    return f"BAST/{undot(kec)}/{day.year}/{state.bast.get(day.year, 0) + 1}"


def decide_hand_out(state: Ledger, cmd: HandOut) -> list[DomainEvent]:
    served = served_round(state, cmd)
    household = existing(cmd.household, cmd.household_id)
    relation, name = receiver(cmd.received_by)
    if household.desa != served.desa:
        raise DistributionError("WRONG_DESA", desa=served.desa)
    if not household.eligible_on(cmd.distributed_on, cmd.excluding):
        raise DistributionError("NOT_ELIGIBLE")
    if (cmd.household_id, served.month) in state.received:
        raise DistributionError("ALREADY_RECEIVED")
    if served.packages >= served.quota:
        raise DistributionError("QUOTA_REACHED", quota=served.quota)
    if state.in_stock(cmd.lots) <= 0:
        raise DistributionError("NO_STOCK")
    lot = taken_lot(state, cmd.lots)
    return [
        PackageDistributed(
            package_id=cmd.package_id,
            round_id=cmd.round_id,
            household_id=cmd.household_id,
            desa=served.desa,
            month=served.month,
            distributed_on=cmd.distributed_on,
            procurement_id=lot.procurement_id if lot else None,
            value_idr=lot.unit_price_idr if lot else 0,
            bast_no=next_bast(state, cmd.kec, cmd.distributed_on),
            relation=relation,
            received_name=name,
        )
    ]


def decide_adjust_stock(
    state: Ledger, adjustment_id: str, cmd: AdjustStock, lots: Sequence[Lot], today: date
) -> list[DomainEvent]:
    not_in_future("adjusted_on", cmd.adjusted_on, today)
    after = state.in_stock(lots) + cmd.packages
    if after < 0:
        raise DistributionError("NO_STOCK", in_stock=state.in_stock(lots))
    return [
        StockAdjusted(
            adjustment_id=adjustment_id,
            packages=cmd.packages,
            reason=cmd.reason,
            adjusted_on=cmd.adjusted_on,
            in_stock=after,
        )
    ]


EVIDENCE_TYPES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


def sniffed(data: bytes, limit: int) -> str:
    """The file's type by its first bytes (JPEG, PNG or PDF), at most `limit` bytes, else
    422 `file`: the name or the declared type of an upload proves nothing."""
    if not data or len(data) > limit:
        raise InvalidInput(
            "file",
            f"Berkas harus ada dan paling besar {limit // (1024 * 1024)} MB",
            f"The file must be present and at most {limit // (1024 * 1024)} MB",
        )
    for magic, content_type in EVIDENCE_TYPES:
        if data.startswith(magic):
            return content_type
    raise InvalidInput(
        "file",
        "Berkas harus foto JPEG atau PNG, atau PDF",
        "The file must be a JPEG or PNG photo, or a PDF",
    )


@dataclass(frozen=True)
class EvidenceFile:
    """A file kept in the evidence store, as the ledger records it."""

    evidence_id: str
    package_id: str
    sha256: str
    size: int
    content_type: str
    object_name: str


def decide_attach_evidence(state: Ledger, file: EvidenceFile) -> list[DomainEvent]:
    """A file is attached once per package: the same file again changes nothing."""
    if file.package_id not in state.packages:
        raise NotFound("package", file.package_id)
    if file.sha256 in state.evidence.get(file.package_id, {}):
        return []
    return [
        PackageEvidenceAttached(
            evidence_id=file.evidence_id,
            package_id=file.package_id,
            sha256=file.sha256,
            size=file.size,
            content_type=file.content_type,
            object_name=file.object_name,
        )
    ]
