"""Households: pure decide / evolve, no I/O, no clock (the ledger of rounds: ledger.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict

from services.distribution.refusals import DistributionError, unknown_desa
from shared.contracts.distribution import (
    ChangeAid,
    ChangeHousehold,
    RegisterHousehold,
    canonical_aid,
)
from shared.errors import InvalidInput, NotFound
from shared.events.base import DomainEvent
from shared.events.distribution import (
    Aid,
    HouseholdAidStatusChanged,
    HouseholdChanged,
    HouseholdForgotten,
    HouseholdRegistered,
    Registry,
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
    """One registered household as the commands see it (personal data stays sealed:
    `personal` is its latest sealed record)."""

    model_config = ConfigDict(frozen=True)

    household_id: str
    desa: str
    desil: int
    registry: Registry
    snapshot_date: date
    aid: tuple[Aid, ...]
    changes: tuple[tuple[date, tuple[Aid, ...]], ...] = ()
    personal: str
    forgotten: bool = False

    def aid_on(self, day: date) -> tuple[Aid, ...]:
        return aid_on(self.aid, self.changes, day)

    def eligible_on(self, day: date, excluding: Collection[Aid]) -> bool:
        return not self.forgotten and is_priority(self.aid_on(day), excluding)


CHANGED_FIELDS = ("desa", "desil", "registry", "snapshot_date", "personal")


def evolve_household(state: Household | None, event: DomainEvent) -> Household | None:
    if isinstance(event, HouseholdRegistered):
        return Household(
            household_id=event.household_id,
            desa=event.desa,
            desil=event.desil,
            registry=event.registry,
            snapshot_date=event.snapshot_date,
            aid=tuple(event.aid),
            personal=event.personal,
        )
    if state is None:
        return None
    if isinstance(event, HouseholdChanged):
        given = {f: getattr(event, f) for f in CHANGED_FIELDS if getattr(event, f) is not None}
        return state.model_copy(update=given)
    if isinstance(event, HouseholdAidStatusChanged):
        changes = dict(state.changes) | {event.as_of: tuple(event.aid)}
        return state.model_copy(update={"changes": tuple(sorted(changes.items()))})
    if isinstance(event, HouseholdForgotten):
        return state.model_copy(update={"forgotten": True})
    return state


def _not_future(field: str, day: date | None, today: date) -> None:
    if day is not None and day > today:
        raise InvalidInput(
            field,
            "Tanggal snapshot tidak boleh di masa depan",
            "The snapshot date cannot be in the future",
        )


def _known_desa(desa: str, desa_codes: Collection[str]) -> str:
    canonical = canonical_desa(desa)
    if canonical not in desa_codes:
        raise unknown_desa()
    return canonical


def check_registration(
    cmd: RegisterHousehold, desa_codes: Collection[str], today: date
) -> RegisterHousehold:
    """The rules only the kecamatan's set-up and the date can check; the desa made canonical."""
    desa = _known_desa(cmd.desa, desa_codes)
    _not_future("snapshot_date", cmd.snapshot_date, today)
    return cmd.model_copy(update={"desa": desa})


def check_change(cmd: ChangeHousehold, desa_codes: Collection[str], today: date) -> ChangeHousehold:
    """As for a registration, on the fields given."""
    _not_future("snapshot_date", cmd.snapshot_date, today)
    if cmd.desa is None:
        return cmd
    return cmd.model_copy(update={"desa": _known_desa(cmd.desa, desa_codes)})


def decide_register(
    state: Household | None, household_id: str, cmd: RegisterHousehold, personal: str
) -> list[DomainEvent]:
    """`personal` is the household's personal record marked `Clear` (the command runner
    seals it before the append)."""
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
            personal=personal,
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
    state: Household | None, household_id: str, cmd: ChangeAid, source: str | None = None
) -> list[DomainEvent]:
    """`source`: the beneficiary list the change comes from (an aid-list import)."""
    household = existing(state, household_id)
    if household.aid_on(cmd.as_of) == tuple(cmd.aid):
        return []
    return [
        HouseholdAidStatusChanged(
            household_id=household_id, aid=list(cmd.aid), as_of=cmd.as_of, source=source
        )
    ]


def decide_change(
    state: Household | None, household_id: str, cmd: ChangeHousehold, personal: str | None
) -> list[DomainEvent]:
    """Only what differs is recorded; `personal` is the new personal record marked `Clear`
    when the name, address or members changed it, else None. DTKS -> DTSEN only."""
    household = existing(state, household_id)
    if cmd.registry is Registry.DTKS and household.registry is Registry.DTSEN:
        raise DistributionError("REGISTRY_DOWNGRADE")
    current = household.model_dump(include=set(CHANGED_FIELDS) - {"personal"})
    given = cmd.model_dump(include=set(current), exclude_none=True)
    changed: dict[str, object] = {k: v for k, v in given.items() if v != current[k]}
    if personal is not None:
        changed["personal"] = personal
    if not changed:
        return []
    moved_from = household.desa if "desa" in changed else None
    return [HouseholdChanged(household_id=household_id, moved_from=moved_from, **changed)]


def decide_add_aid(
    state: Household | None, household_id: str, program: Aid, as_of: date, source: str
) -> list[DomainEvent]:
    """A beneficiary list names the household: it holds `program` from `as_of` on, beside
    what it held that day, and beside what each later change set. A forgotten household is
    left as it is (nothing to record)."""
    if state is None or state.forgotten:
        return []
    days = [as_of, *(day for day, _ in state.changes if day > as_of)]
    return [
        HouseholdAidStatusChanged(
            household_id=household_id,
            aid=canonical_aid([*held, program]),
            as_of=day,
            source=source,
        )
        for day in days
        if program not in (held := state.aid_on(day))
    ]


def decide_forget(state: Household | None, household_id: str) -> list[DomainEvent]:
    if state is None:
        raise NotFound("household", household_id)
    if state.forgotten:
        return []
    return [HouseholdForgotten(household_id=household_id)]
