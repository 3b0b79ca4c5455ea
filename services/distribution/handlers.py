"""Command handlers: load -> decide -> append (the runner retries on conflict)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from services.distribution.aggregates import HOUSEHOLD, LEDGER
from services.distribution.claims import Claim, Claims, Holder, HolderCheck, claim_keys
from services.distribution.commands import (
    ChangeAid,
    HandOutPackage,
    ImportHouseholds,
    OpenRound,
    RegisterHousehold,
)
from services.distribution.csvimport import (
    MAX_LINES,
    Candidate,
    Rejection,
    candidates,
    parse_csv,
    refused,
)
from services.distribution.domain import (
    DEFAULT_EXCLUDING_AID,
    HandOut,
    Household,
    check_registration,
    decide_change_aid,
    decide_close_round,
    decide_forget,
    decide_hand_out,
    decide_open_round,
    decide_register,
)
from services.distribution.facts import Facts
from services.distribution.personal import HouseholdKeys, lookups, seal, unseal
from shared.aggregate import Outcome
from shared.clock import jakarta_today
from shared.crypto import KeyShredded
from shared.envelope import Metadata
from shared.errors import DomainError, InvalidInput, NotFound
from shared.events.distribution import Aid, PackageDistributed, household_ref, ledger_ref
from shared.events.scheduler import KecamatanConfigured
from shared.rpc import RpcReply, RpcRequest
from shared.runtime import Runtime
from shared.tenancy import Tenant

IDS = uuid.UUID("6f1d2c38-5b0e-4a51-9a57-3c2f4d8e9b10")
IMPORT_CONCURRENCY = 8


@dataclass
class Service:
    """What the distribution handlers use, built once in the composition root."""

    rt: Runtime
    keys: HouseholdKeys
    claims: Claims
    facts: Facts
    excluding: Collection[Aid] = field(default=DEFAULT_EXCLUDING_AID)

    @property
    def secret(self) -> str:
        return self.keys.secret


def new_id(command_id: str) -> str:
    """Ids derived from the command id: a retried command targets the same aggregate."""
    return str(uuid.uuid5(IDS, command_id))


def path_id(req: RpcRequest, what: str) -> str:
    raw = str(req.params.get("id", ""))
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise NotFound(what, raw[:64]) from None


async def configured(svc: Service, tenant: Tenant) -> KecamatanConfigured:
    config = await svc.facts.kecamatan(tenant)
    if config is None:
        raise NotFound("kecamatan", tenant.kec_dotted)
    return config


def desa_codes(config: KecamatanConfigured) -> set[str]:
    return {d.code for d in config.desa}


async def register(
    svc: Service, tenant: Tenant, meta: Metadata, cmd: RegisterHousehold
) -> tuple[str, Outcome[Household | None]]:
    """Claim the numbers kabupaten-wide, seal the personal data, append the registration.
    A retry finds its own claims and key (the id comes from the command id) and replays; a
    retry after the household was forgotten finds its key shredded and replays too."""
    rt, household_id = svc.rt, new_id(meta.command_id)
    ref = household_ref(tenant, household_id)
    numbers = claim_keys(*lookups(svc.secret, cmd.no_kk, cmd.nik))
    await svc.claims.claim(tenant.kab, tenant.kec, household_id, numbers)
    try:
        key = await svc.keys.key_for(household_id)
    except KeyShredded:
        await svc.claims.release(tenant.kab, household_id, numbers)
        return household_id, await rt.runner.execute(HOUSEHOLD, ref, meta, lambda s: [])
    sealed = seal(svc.secret, key, household_id, cmd)
    out = await rt.runner.execute(
        HOUSEHOLD, ref, meta, lambda s: decide_register(s, household_id, cmd, sealed)
    )
    return household_id, out


async def register_household(svc: Service, req: RpcRequest) -> RpcReply:
    config = await configured(svc, req.tenant)
    cmd = RegisterHousehold.model_validate(req.body)
    cmd = check_registration(cmd, desa_codes(config), jakarta_today())
    household_id, out = await register(svc, req.tenant, req.meta, cmd)
    return RpcReply(status=201, position=out.position, data={"household_id": household_id})


async def _import_line(
    svc: Service, req: RpcRequest, candidate: Candidate, limit: asyncio.Semaphore
) -> int | Rejection:
    meta = Metadata(
        command_id=new_id(f"{req.command_id}:import:{candidate.line}"),
        correlation_id=req.meta.correlation_id,
        actor=req.meta.actor,
    )
    async with limit:
        try:
            _, out = await register(svc, req.tenant, meta, candidate.cmd)
        except DomainError as exc:
            return refused(candidate.line, exc)
    return out.position


async def import_households(svc: Service, req: RpcRequest) -> RpcReply:
    config = await configured(svc, req.tenant)
    body = ImportHouseholds.model_validate(req.body)
    rows = parse_csv(body.csv)
    if len(rows) > MAX_LINES:
        raise InvalidInput(
            "csv",
            f"Paling banyak {MAX_LINES} baris per berkas",
            f"At most {MAX_LINES} lines per file",
        )
    accepted, rejected = candidates(rows, desa_codes(config), jakarta_today())
    limit = asyncio.Semaphore(IMPORT_CONCURRENCY)
    results = await asyncio.gather(*(_import_line(svc, req, c, limit) for c in accepted))
    positions = [r for r in results if isinstance(r, int)]
    rejected += [r for r in results if isinstance(r, Rejection)]
    position = max(positions, default=await svc.rt.store.last_seq(req.tenant.kab))
    data = {
        "accepted": len(positions),
        "rejected": [r.answer() for r in sorted(rejected, key=lambda r: r.line)],
    }
    return RpcReply(status=201 if positions else 200, position=position, data=data)


async def masked(svc: Service, household: Household) -> dict[str, Any]:
    """The household as answers show it: masked name and NIK, never the clear numbers."""
    today = jakarta_today()
    key = await svc.keys.existing(household.household_id)
    person = unseal(key, household.household_id, household.personal) if key else None
    return {
        "household_id": household.household_id,
        "name_masked": person.name_masked if person else None,
        "nik_masked": person.nik_masked if person else None,
        "desa": household.desa,
        "desil": household.desil,
        "aid": [a.value for a in household.aid_on(today)],
        "eligible": household.eligible_on(today, svc.excluding),
        "forgotten": household.forgotten,
    }


async def change_aid(svc: Service, req: RpcRequest) -> RpcReply:
    await configured(svc, req.tenant)
    household_id = path_id(req, "household")
    cmd = ChangeAid.model_validate(req.body)
    out = await svc.rt.runner.execute(
        HOUSEHOLD,
        household_ref(req.tenant, household_id),
        req.meta,
        lambda s: decide_change_aid(s, household_id, cmd),
    )
    assert out.state is not None
    return RpcReply(position=out.position, data=await masked(svc, out.state))


async def forget_household(svc: Service, req: RpcRequest) -> RpcReply:
    """Shred the key first (the personal data is unreadable from then on), then record it."""
    await configured(svc, req.tenant)
    household_id = path_id(req, "household")
    ref = household_ref(req.tenant, household_id)
    household = (await svc.rt.runner.load(HOUSEHOLD, ref)).state
    if household is None:
        raise NotFound("household", household_id)
    await svc.keys.shred(household_id)
    out = await svc.rt.runner.execute(
        HOUSEHOLD, ref, req.meta, lambda s: decide_forget(s, household_id)
    )
    await svc.claims.release(
        req.tenant.kab, household_id, claim_keys(household.no_kk_hmac, household.nik_hmac)
    )
    return RpcReply(position=out.position, data={"household_id": household_id, "forgotten": True})


async def open_round(svc: Service, req: RpcRequest) -> RpcReply:
    codes = desa_codes(await configured(svc, req.tenant))
    cmd = OpenRound.model_validate(req.body)
    round_id = new_id(req.command_id)
    out = await svc.rt.runner.execute(
        LEDGER,
        ledger_ref(req.tenant),
        req.meta,
        lambda s: decide_open_round(s, round_id, cmd, codes),
    )
    return RpcReply(status=201, position=out.position, data={"round_id": round_id})


async def hand_out_package(svc: Service, req: RpcRequest) -> RpcReply:
    tenant = req.tenant
    await configured(svc, tenant)
    round_id = path_id(req, "round")
    cmd = HandOutPackage.model_validate(req.body)
    household_id = str(cmd.household_id)
    household = (await svc.rt.runner.load(HOUSEHOLD, household_ref(tenant, household_id))).state
    hand_out = HandOut(
        round_id=round_id,
        package_id=new_id(req.command_id),
        household_id=household_id,
        household=household,
        distributed_on=cmd.distributed_on,
        lots=await svc.facts.lots(tenant),
        excluding=svc.excluding,
    )
    out = await svc.rt.runner.execute(
        LEDGER, ledger_ref(tenant), req.meta, lambda s: decide_hand_out(s, hand_out)
    )
    package = out.events[-1].event
    assert isinstance(package, PackageDistributed)
    return RpcReply(
        status=201,
        position=out.position,
        data={"package_id": package.package_id, "value_idr": package.value_idr},
    )


async def close_round(svc: Service, req: RpcRequest) -> RpcReply:
    await configured(svc, req.tenant)
    round_id = path_id(req, "round")
    out = await svc.rt.runner.execute(
        LEDGER, ledger_ref(req.tenant), req.meta, lambda s: decide_close_round(s, round_id)
    )
    return RpcReply(position=out.position, data={"round_id": round_id})


def holder_check(rt: Runtime) -> HolderCheck:
    """Whether a claim's household is in the log, and not forgotten."""

    async def holder(kab: str, claim: Claim) -> Holder:
        ref = household_ref(Tenant(kab, claim.kec), claim.household_id)
        state = (await rt.runner.load(HOUSEHOLD, ref)).state
        if state is None:
            return Holder.ABSENT
        return Holder.GONE if state.forgotten else Holder.LIVE

    return holder


def build_service(rt: Runtime, excluding: Collection[Aid] = DEFAULT_EXCLUDING_AID) -> Service:
    keys = HouseholdKeys(rt.settings.secret_key.get_secret_value(), rt.pool)
    claims = Claims(rt.nc, holder_check(rt), rt.settings.stream_replicas)
    return Service(rt, keys, claims, Facts(rt.store), excluding)
