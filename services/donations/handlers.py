"""One async function per command: check the kecamatan, load the fund, decide, append."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from services.donations.commands import ProcurePackages, ReceiveDonation, VoidDonation
from services.donations.config import DonationsSettings
from services.donations.domain import (
    FUND,
    Fund,
    Rules,
    decide_procure,
    decide_receive,
    decide_void,
    is_anonymous,
    validate_donation,
)
from services.donations.donors import DonorVault
from services.donations.kecamatan import Kecamatans
from services.donations.queries import Queries
from shared.aggregate import CommandRunner, Outcome
from shared.clock import utc_now
from shared.envelope import Metadata
from shared.errors import InvalidInput
from shared.events.base import DomainEvent
from shared.events.donations import DonationReceived, DonationVoided, PackagesProcured, fund_ref
from shared.rpc import RpcReply, RpcRequest
from shared.runtime import Runtime
from shared.tenancy import Tenant

NAMESPACE = uuid.UUID("5b1f7a64-2c0e-4f7e-9d3a-8e6c1b2a9f40")
E = TypeVar("E", bound=DomainEvent)


def derived_id(kind: str, command_id: str) -> str:
    """A new id fixed by the command id, so a retried command targets the same thing."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{command_id}"))


@dataclass
class Deps:
    """What the handlers share: the runtime, settings, the fund's runner, the lookups."""

    rt: Runtime
    settings: DonationsSettings
    runner: CommandRunner
    kecamatans: Kecamatans
    donors: DonorVault
    queries: Queries
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    @classmethod
    def build(cls, rt: Runtime, settings: DonationsSettings) -> Deps:
        secret = rt.settings.secret_key.get_secret_value()
        return cls(
            rt=rt,
            settings=settings,
            runner=CommandRunner(rt.store, attempts=settings.command_attempts),
            kecamatans=Kecamatans(rt.store),
            donors=DonorVault(rt.pool, settings.key_schema, secret),
            queries=Queries(rt.pool, rt.schema),
        )

    async def rules(self, req: RpcRequest) -> Rules:
        """Read-your-writes, then the kecamatan's rules as of now (404 if never configured)."""
        await self.rt.wait_for(req.tenant.kab, req.wait_for)
        units = await self.kecamatans.units(req.tenant)
        return Rules.at(utc_now(), units, self.settings.max_donation_idr)

    async def execute(
        self, tenant: Tenant, meta: Metadata, decide: Callable[[Fund], Sequence[DomainEvent]]
    ) -> Outcome[Fund]:
        """One command at a time per fund in this process; replicas race on the append."""
        ref = fund_ref(tenant)
        async with self.locks.setdefault(ref.subject, asyncio.Lock()):
            return await self.runner.execute(FUND, ref, meta, decide)


def body_of(req: RpcRequest) -> dict[str, Any]:
    if not isinstance(req.body, dict):
        raise InvalidInput(
            "body",
            "Isi permintaan harus berupa objek JSON",
            "The request body must be a JSON object",
        )
    return req.body


def only(out: Outcome[Fund], kind: type[E]) -> E:
    event = out.events[0].event
    if not isinstance(event, kind):
        raise TypeError(f"expected {kind.__name__}, the log holds {type(event).__name__}")
    return event


async def receive_donation(deps: Deps, req: RpcRequest) -> RpcReply:
    rules = await deps.rules(req)
    cmd = ReceiveDonation.model_validate(body_of(req))
    validate_donation(cmd, rules)
    donation_id = derived_id("donation", req.command_id)
    sealed = None
    if cmd.donor is not None and not is_anonymous(cmd.donor):
        sealed = await deps.donors.seal(donation_id, cmd.donor)
    out = await deps.execute(
        req.tenant,
        req.meta,
        lambda fund: decide_receive(fund, cmd, rules, donation_id=donation_id, donor_sealed=sealed),
    )
    event = only(out, DonationReceived)
    data = {"donation_id": event.donation_id, "receipt_no": event.receipt_no}
    return RpcReply(status=201, position=out.position, data=data)


async def void_donation(deps: Deps, req: RpcRequest) -> RpcReply:
    rules = await deps.rules(req)
    donation_id = str(req.params.get("id") or "")
    cmd = VoidDonation.model_validate(body_of(req))
    out = await deps.execute(
        req.tenant, req.meta, lambda fund: decide_void(fund, cmd, rules, donation_id=donation_id)
    )
    event = only(out, DonationVoided)
    return RpcReply(status=200, position=out.position, data={"donation_id": event.donation_id})


async def procure_packages(deps: Deps, req: RpcRequest) -> RpcReply:
    rules = await deps.rules(req)
    cmd = ProcurePackages.model_validate(body_of(req))
    procurement_id = derived_id("procurement", req.command_id)
    out = await deps.execute(
        req.tenant,
        req.meta,
        lambda fund: decide_procure(fund, cmd, rules, procurement_id=procurement_id),
    )
    event = only(out, PackagesProcured)
    return RpcReply(
        status=201, position=out.position, data={"procurement_id": event.procurement_id}
    )
