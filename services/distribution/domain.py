"""Households and the distribution ledger: pure decide / evolve, no I/O, no clock."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel, ConfigDict

from services.distribution.refusals import DistributionError, unknown_desa
from shared.contracts.distribution import ChangeAid, OpenRound, RegisterHousehold
from shared.errors import InvalidInput, NotFound
from shared.events.base import DomainEvent
from shared.events.distribution import (
    Aid,
    HouseholdAidStatusChanged,
    HouseholdForgotten,
    HouseholdRegistered,
    PackageDistributed,
    RoundClosed,
    RoundOpened,
)
from shared.tenancy import dot, undot

DEFAULT_EXCLUDING_AID = frozenset({Aid.PKH, Aid.BPNT, Aid.BLT_DD})


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def canonical_desa(code: str) -> str:
    """A desa code with its dots, whether given with or without them."""
    return dot(undot(code))


def aid_on(
    baseline: Sequence[Aid], changes: Sequence[tuple[date, Sequence[Aid]]], day: date
) -> tuple[Aid, ...]:
    """The aid held on `day`: the latest change on or before it, else the registered aid."""
    held: Sequence[Aid] = baseline
    for as_of, aid in sorted(changes):
        if as_of > day:
            break
        held = aid
    return tuple(held)


def is_priority(aid: Collection[Aid], excluding: Collection[Aid]) -> bool:
    """A household holding none of the excluding aid (PKH, BPNT, BLT DD) is a priority."""
    return not set(aid) & set(excluding)


class Household(BaseModel):
    """One registered household as the commands see it (personal data stays sealed)."""

    model_config = ConfigDict(frozen=True)

    household_id: str
    desa: str
    desil: int
    aid: tuple[Aid, ...]
    changes: tuple[tuple[date, tuple[Aid, ...]], ...] = ()
    no_kk_hmac: str
    nik_hmac: str
    personal: str
    forgotten: bool = False

    def aid_on(self, day: date) -> tuple[Aid, ...]:
        return aid_on(self.aid, self.changes, day)

    def eligible_on(self, day: date, excluding: Collection[Aid]) -> bool:
        return not self.forgotten and is_priority(self.aid_on(day), excluding)


def evolve_household(state: Household | None, event: DomainEvent) -> Household | None:
    if isinstance(event, HouseholdRegistered):
        return Household(
            household_id=event.household_id,
            desa=event.desa,
            desil=event.desil,
            aid=tuple(event.aid),
            no_kk_hmac=event.no_kk_hmac,
            nik_hmac=event.nik_hmac,
            personal=event.personal,
        )
    if state is None:
        return None
    if isinstance(event, HouseholdAidStatusChanged):
        changes = dict(state.changes) | {event.as_of: tuple(event.aid)}
        return state.model_copy(update={"changes": tuple(sorted(changes.items()))})
    if isinstance(event, HouseholdForgotten):
        return state.model_copy(update={"forgotten": True})
    return state


def check_registration(
    cmd: RegisterHousehold, desa_codes: Collection[str], today: date
) -> RegisterHousehold:
    """The rules only the kecamatan's set-up and the date can check; the desa made canonical."""
    desa = canonical_desa(cmd.desa)
    if desa not in desa_codes:
        raise unknown_desa()
    if cmd.snapshot_date > today:
        raise InvalidInput(
            "snapshot_date",
            "Tanggal snapshot tidak boleh di masa depan",
            "The snapshot date cannot be in the future",
        )
    return cmd.model_copy(update={"desa": desa})


@dataclass(frozen=True)
class Identity:
    """Who registers: the numbers' lookup HMACs and the personal data (marked `Clear`: the
    command runner seals it before the append)."""

    no_kk_hmac: str
    nik_hmac: str
    personal: str


def decide_register(
    state: Household | None, household_id: str, cmd: RegisterHousehold, who: Identity
) -> list[DomainEvent]:
    if state is not None:
        return []
    return [
        HouseholdRegistered(
            household_id=household_id,
            desa=cmd.desa,
            desil=cmd.desil,
            registry=cmd.registry,
            snapshot_date=cmd.snapshot_date,
            aid=list(cmd.aid),
            no_kk_hmac=who.no_kk_hmac,
            nik_hmac=who.nik_hmac,
            personal=who.personal,
        )
    ]


def existing(state: Household | None, household_id: str) -> Household:
    """The household, if registered and not forgotten."""
    if state is None:
        raise NotFound("household", household_id)
    if state.forgotten:
        raise DistributionError("HOUSEHOLD_FORGOTTEN", household_id=household_id)
    return state


def decide_change_aid(
    state: Household | None, household_id: str, cmd: ChangeAid
) -> list[DomainEvent]:
    household = existing(state, household_id)
    if household.aid_on(cmd.as_of) == tuple(cmd.aid):
        return []
    return [
        HouseholdAidStatusChanged(household_id=household_id, aid=list(cmd.aid), as_of=cmd.as_of)
    ]


def decide_forget(state: Household | None, household_id: str) -> list[DomainEvent]:
    if state is None:
        raise NotFound("household", household_id)
    if state.forgotten:
        return []
    return [HouseholdForgotten(household_id=household_id)]


@dataclass(frozen=True)
class Lot:
    """A procured lot of packages (`PackagesProcured`), used first in, first out."""

    procurement_id: str
    packages: int
    unit_price_idr: int


def lot_of(lots: Sequence[Lot], index: int) -> Lot | None:
    """The lot the `index`-th package ever handed out (0-based) comes from, if any."""
    for lot in lots:
        if index < lot.packages:
            return lot
        index -= lot.packages
    return None


class Round(BaseModel):
    model_config = ConfigDict(frozen=True)

    round_id: str
    desa: str
    month: str
    quota: int
    packages: int = 0
    closed: bool = False


class Ledger(BaseModel):
    """The kecamatan's rounds and hand-outs: everything a hand-out must see at once."""

    model_config = ConfigDict(frozen=True)

    rounds: dict[str, Round] = {}
    by_desa_month: dict[tuple[str, str], str] = {}
    received: frozenset[tuple[str, str]] = frozenset()
    distributed: int = 0


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
        served = state.rounds[event.round_id]
        served = served.model_copy(update={"packages": served.packages + 1})
        return state.model_copy(
            update={
                "rounds": state.rounds | {event.round_id: served},
                "received": state.received | {(event.household_id, event.month)},
                "distributed": state.distributed + 1,
            }
        )
    if isinstance(event, RoundClosed):
        closed = state.rounds[event.round_id].model_copy(update={"closed": True})
        return state.model_copy(update={"rounds": state.rounds | {event.round_id: closed}})
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


@dataclass(frozen=True)
class HandOut:
    """A hand-out as the ledger decides it: the household as loaded and the known lots."""

    round_id: str
    package_id: str
    household_id: str
    household: Household | None
    distributed_on: date
    lots: Sequence[Lot]
    excluding: Collection[Aid] = DEFAULT_EXCLUDING_AID


def served_round(state: Ledger, cmd: HandOut) -> Round:
    """The round a hand-out is for, when it may still hand out on that date."""
    found = state.rounds.get(cmd.round_id)
    if found is None:
        raise NotFound("round", cmd.round_id)
    if cmd.household is None:
        raise NotFound("household", cmd.household_id)
    if month_of(cmd.distributed_on) != found.month:
        raise InvalidInput(
            "distributed_on",
            f"Tanggal penyerahan harus di bulan putaran ({found.month})",
            f"The hand-out date must be inside the round's month ({found.month})",
        )
    return open_round_of(state, cmd.round_id)


def decide_hand_out(state: Ledger, cmd: HandOut) -> list[DomainEvent]:
    served = served_round(state, cmd)
    household = existing(cmd.household, cmd.household_id)
    if household.desa != served.desa:
        raise DistributionError("WRONG_DESA", desa=served.desa)
    if not household.eligible_on(cmd.distributed_on, cmd.excluding):
        raise DistributionError("NOT_ELIGIBLE")
    if (cmd.household_id, served.month) in state.received:
        raise DistributionError("ALREADY_RECEIVED")
    if served.packages >= served.quota:
        raise DistributionError("QUOTA_REACHED", quota=served.quota)
    lot = lot_of(cmd.lots, state.distributed)
    if lot is None:
        raise DistributionError("NO_STOCK")
    return [
        PackageDistributed(
            package_id=cmd.package_id,
            round_id=cmd.round_id,
            household_id=cmd.household_id,
            desa=served.desa,
            month=served.month,
            distributed_on=cmd.distributed_on,
            procurement_id=lot.procurement_id,
            value_idr=lot.unit_price_idr,
        )
    ]
