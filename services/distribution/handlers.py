"""Household command handlers: load -> decide -> append (the runner retries on conflict)."""

from __future__ import annotations

import asyncio
import uuid

from services.distribution.aggregates import HOUSEHOLD
from services.distribution.claims import claim_keys
from services.distribution.csvimport import (
    MAX_LINES,
    Candidate,
    Rejection,
    candidates,
    parse_csv,
    refused,
)
from services.distribution.deps import Deps
from services.distribution.domain import (
    Household,
    check_registration,
    decide_change_aid,
    decide_forget,
    decide_register,
)
from services.distribution.personal import lookups, seal, unseal
from services.distribution.scope import path_id, require_rows_desa, unknown
from shared.aggregate import Outcome
from shared.contracts.distribution import (
    ChangeAid,
    ForgetHousehold,
    Forgotten,
    HouseholdRef,
    Imported,
    ImportHouseholds,
    MaskedHousehold,
    RegisterHousehold,
)
from shared.crypto import KeyShredded
from shared.envelope import Metadata
from shared.errors import DomainError, InvalidInput
from shared.events.base import DomainEvent
from shared.events.distribution import household_ref
from shared.events.scheduler import KecamatanConfigured
from shared.kit import Ctx, Written

IDS = uuid.UUID("6f1d2c38-5b0e-4a51-9a57-3c2f4d8e9b10")
IMPORT_CONCURRENCY = 8


def new_id(command_id: str) -> str:
    """Ids derived from the command id: a retried command targets the same aggregate."""
    return str(uuid.uuid5(IDS, command_id))


def desa_codes(config: KecamatanConfigured) -> set[str]:
    return {d.code for d in config.desa}


async def register(
    ctx: Ctx[Deps], meta: Metadata, cmd: RegisterHousehold
) -> tuple[str, Outcome[Household | None]]:
    """Claim the numbers kabupaten-wide, seal the personal data, append the registration.
    A retry finds its own claims and key (the id comes from the command id) and replays; a
    retry after the household was forgotten finds its key shredded and replays too."""
    deps, tenant, household_id = ctx.deps, ctx.tenant, new_id(meta.command_id)
    ref = household_ref(tenant, household_id)
    numbers = claim_keys(*lookups(deps.secret, cmd.no_kk, cmd.nik))
    await deps.claims.claim(tenant.kab, tenant.kec, household_id, numbers)
    try:
        key = await deps.keys.key_for(household_id)
    except KeyShredded:
        await deps.claims.release(tenant.kab, household_id, numbers)
        return household_id, await ctx.rt.runner.execute(HOUSEHOLD, ref, meta, lambda s: [])
    sealed = seal(deps.secret, key, household_id, cmd)
    out = await ctx.rt.runner.execute(
        HOUSEHOLD, ref, meta, lambda s: decide_register(s, household_id, cmd, sealed)
    )
    return household_id, out


async def register_household(cmd: RegisterHousehold, ctx: Ctx[Deps]) -> Written[HouseholdRef]:
    ctx.require_desa(cmd.desa)
    cmd = check_registration(cmd, desa_codes(ctx.setup), ctx.today)
    household_id, out = await register(ctx, ctx.meta, cmd)
    return Written(HouseholdRef(household_id=household_id), out.position, created=True)


async def _import_line(
    ctx: Ctx[Deps], candidate: Candidate, limit: asyncio.Semaphore
) -> int | Rejection:
    meta = Metadata(
        command_id=new_id(f"{ctx.command_id}:import:{candidate.line}"),
        correlation_id=ctx.meta.correlation_id,
        actor=ctx.meta.actor,
    )
    async with limit:
        try:
            _, out = await register(ctx, meta, candidate.cmd)
        except DomainError as exc:
            return refused(candidate.line, exc)
    return out.position


async def import_households(cmd: ImportHouseholds, ctx: Ctx[Deps]) -> Written[Imported]:
    """Each line registered on its own; created (201) when at least one line was."""
    rows = parse_csv(cmd.csv)
    require_rows_desa(ctx, rows)
    if len(rows) > MAX_LINES:
        raise InvalidInput(
            "csv",
            f"Paling banyak {MAX_LINES} baris per berkas",
            f"At most {MAX_LINES} lines per file",
        )
    accepted, rejected = candidates(rows, desa_codes(ctx.setup), ctx.today)
    limit = asyncio.Semaphore(IMPORT_CONCURRENCY)
    results = await asyncio.gather(*(_import_line(ctx, c, limit) for c in accepted))
    positions = [r for r in results if isinstance(r, int)]
    rejected += [r for r in results if isinstance(r, Rejection)]
    position = max(positions, default=await ctx.rt.store.last_seq(ctx.tenant.kab))
    answer = Imported(
        accepted=len(positions),
        rejected=[r.answer() for r in sorted(rejected, key=lambda r: r.line)],
    )
    return Written(answer, position, created=bool(positions))


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


async def forget_household(cmd: ForgetHousehold, ctx: Ctx[Deps]) -> Written[Forgotten]:
    """Shred the key first (the personal data is unreadable from then on), then record it."""
    household_id = path_id(ctx, "household")
    ref = household_ref(ctx.tenant, household_id)
    household = (await ctx.rt.runner.load(HOUSEHOLD, ref)).state
    if household is None:
        raise unknown(ctx, "household", household_id)
    ctx.require_desa(household.desa)
    await ctx.deps.keys.shred(household_id)
    out = await ctx.rt.runner.execute(
        HOUSEHOLD, ref, ctx.meta, lambda s: decide_forget(s, household_id)
    )
    numbers = claim_keys(household.no_kk_hmac, household.nik_hmac)
    await ctx.deps.claims.release(ctx.tenant.kab, household_id, numbers)
    return Written(Forgotten(household_id=household_id, forgotten=True), out.position)
