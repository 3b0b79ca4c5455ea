"""Household command handlers: load -> decide -> append (the runner retries on conflict)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from services.distribution.aggregates import HOUSEHOLD
from services.distribution.deps import Deps
from services.distribution.domain import (
    Household,
    check_change,
    check_registration,
    decide_change,
    decide_change_aid,
    decide_forget,
    decide_register,
    existing,
)
from services.distribution.personal import of_registration, unseal
from services.distribution.refusals import DistributionError
from services.distribution.scope import path_id, unknown
from shared.contracts.distribution import (
    ChangeAid,
    ChangeHousehold,
    ForgetHousehold,
    Forgotten,
    HouseholdRef,
    MaskedHousehold,
    RegisterHousehold,
)
from shared.edge.kit import Ctx, Written
from shared.events.base import DomainEvent
from shared.events.distribution import household_ref
from shared.events.scheduler import KecamatanConfigured
from shared.log.aggregate import Outcome
from shared.log.envelope import Metadata

IDS = uuid.UUID("6f1d2c38-5b0e-4a51-9a57-3c2f4d8e9b10")


def new_id(command_id: str) -> str:
    """Ids derived from the command id: a retried command targets the same aggregate."""
    return str(uuid.uuid5(IDS, command_id))


def desa_codes(config: KecamatanConfigured) -> set[str]:
    return {d.code for d in config.desa}


async def register(
    ctx: Ctx[Deps], meta: Metadata, cmd: RegisterHousehold
) -> tuple[str, Outcome[Household | None]]:
    """Claim every number kabupaten-wide, then append the registration (the runner seals the
    personal data under the household's new key), no rotation of the lookup key between.
    A retry finds its own claims (the id comes from the command id) and replays; a retry
    after the household was forgotten replays too, and gives back the claims it took again."""
    deps, tenant, household_id = ctx.deps, ctx.tenant, new_id(meta.command_id)
    ref = household_ref(tenant, household_id)
    personal = of_registration(cmd)
    async with deps.claims.holding(tenant.kab) as held:
        numbers = held.keys(personal)
        await held.claim(tenant.kec, household_id, numbers)
        out = await ctx.rt.runner.execute(
            HOUSEHOLD, ref, meta, lambda s: decide_register(s, household_id, cmd, personal.marked())
        )
        if out.state is not None and out.state.forgotten:
            await held.release(household_id, list(numbers))
    return household_id, out


async def register_household(cmd: RegisterHousehold, ctx: Ctx[Deps]) -> Written[HouseholdRef]:
    ctx.require_desa(cmd.desa)
    cmd = check_registration(cmd, desa_codes(ctx.setup), ctx.today)
    household_id, out = await register(ctx, ctx.meta, cmd)
    return Written(HouseholdRef(household_id=household_id), out.position, created=True)


async def masked(ctx: Ctx[Deps], household: Household) -> MaskedHousehold:
    """The household as answers show it: masked name and NIK, never the clear numbers."""
    key = await ctx.deps.keys.existing(household.household_id)
    person = unseal(key, household.household_id, household.personal) if key else None
    return MaskedHousehold(
        household_id=household.household_id,
        name_masked=person.name_masked if person else None,
        nik_masked=person.nik_masked if person else None,
        desa=household.desa,
        desil=household.desil,
        aid=list(household.aid_on(ctx.today)),
        eligible=household.eligible_on(ctx.today, ctx.deps.excluding),
        forgotten=household.forgotten,
    )


async def change_aid(cmd: ChangeAid, ctx: Ctx[Deps]) -> Written[MaskedHousehold]:
    household_id = path_id(ctx, "household")

    def decide(state: Household | None) -> list[DomainEvent]:
        ctx.require_desa(state.desa if state else None)
        return decide_change_aid(state, household_id, cmd)

    out = await ctx.rt.runner.execute(
        HOUSEHOLD, household_ref(ctx.tenant, household_id), ctx.meta, decide
    )
    assert out.state is not None
    return Written(await masked(ctx, out.state), out.position)


def personal_change(cmd: ChangeHousehold) -> bool:
    return cmd.name is not None or cmd.address is not None or cmd.members is not None


async def change_household(cmd: ChangeHousehold, ctx: Ctx[Deps]) -> Written[MaskedHousehold]:
    """Only the fields given; a move also needs the caller to cover the new desa. A change
    of the members claims their new NIKs first (DUPLICATE_HOUSEHOLD) and gives back those
    the household no longer holds once it is stored."""
    household_id = path_id(ctx, "household")
    ref = household_ref(ctx.tenant, household_id)
    if cmd.desa is not None:
        ctx.require_desa(cmd.desa)
    cmd = check_change(cmd, desa_codes(ctx.setup), ctx.today)
    household = existing((await ctx.rt.runner.load(HOUSEHOLD, ref)).state, household_id)
    ctx.require_desa(household.desa)
    key = await ctx.deps.keys.existing(household_id) if personal_change(cmd) else None

    def decide(state: Household | None) -> list[DomainEvent]:
        current = existing(state, household_id)
        ctx.require_desa(current.desa)
        if key is None:
            return decide_change(state, household_id, cmd, None)
        before = unseal(key, household_id, current.personal)
        after = before.patched(cmd)
        return decide_change(state, household_id, cmd, after.marked() if after != before else None)

    if not personal_change(cmd):
        out = await ctx.rt.runner.execute(HOUSEHOLD, ref, ctx.meta, decide)
    elif key is None:
        raise DistributionError("HOUSEHOLD_FORGOTTEN", household_id=household_id)
    else:
        out = await _with_members(ctx, cmd, household, key, decide)
    assert out.state is not None
    return Written(await masked(ctx, out.state), out.position)


async def _with_members(
    ctx: Ctx[Deps],
    cmd: ChangeHousehold,
    household: Household,
    key: bytes,
    decide: Callable[[Household | None], list[DomainEvent]],
) -> Outcome[Household | None]:
    hid, ref = household.household_id, household_ref(ctx.tenant, household.household_id)
    before = unseal(key, hid, household.personal)
    async with ctx.deps.claims.holding(ctx.tenant.kab) as held:
        had, wanted = held.keys(before), held.keys(before.patched(cmd))
        await held.claim(ctx.tenant.kec, hid, {k: f for k, f in wanted.items() if k not in had})
        final: Household | None = household
        try:
            out = await ctx.rt.runner.execute(HOUSEHOLD, ref, ctx.meta, decide)
            final = out.state
        except BaseException:
            final = (await ctx.rt.runner.load(HOUSEHOLD, ref)).state
            raise
        finally:
            kept = held.keys(unseal(key, hid, final.personal)) if final else {}
            await held.release(hid, [k for k in had | wanted if k not in kept])
    return out


async def forget_household(cmd: ForgetHousehold, ctx: Ctx[Deps]) -> Written[Forgotten]:
    """Record it; once `HouseholdForgotten` is stored the runner destroys the household's key
    (and the projection does, should a crash come between); then the kabupaten's lookup key
    is rotated, so no HMAC of its numbers is left that anything on disk can compute."""
    household_id = path_id(ctx, "household")
    ref = household_ref(ctx.tenant, household_id)
    household = (await ctx.rt.runner.load(HOUSEHOLD, ref)).state
    if household is None:
        raise unknown(ctx, "household", household_id)
    ctx.require_desa(household.desa)
    out = await ctx.rt.runner.execute(
        HOUSEHOLD, ref, ctx.meta, lambda s: decide_forget(s, household_id)
    )
    await ctx.deps.claims.rotate(ctx.tenant.kab)
    return Written(Forgotten(household_id=household_id, forgotten=True), out.position)
