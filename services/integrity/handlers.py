"""One async function per command: check the kecamatan, load the finding, decide, append."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from services.integrity import domain
from services.integrity.commands import (
    DismissFinding,
    FollowUpFinding,
    RecordFinding,
    ResolveFinding,
)
from services.integrity.config import IntegritySettings
from services.integrity.domain import Acting, Directory, Finding, Recording, UnknownFinding
from services.integrity.kecamatan import Kecamatans
from services.integrity.queries import Queries
from services.integrity.vault import Vault
from shared.aggregate import AggregateType
from shared.clock import jakarta_today
from shared.errors import InvalidInput
from shared.events.base import DomainEvent
from shared.events.integrity import FINDING_AGGREGATE, SERVICE, FindingSource, finding_ref
from shared.rpc import RpcReply, RpcRequest
from shared.runtime import Runtime
from shared.tenancy import Tenant

FINDING = AggregateType[Finding](SERVICE, FINDING_AGGREGATE, Finding, domain.evolve)
NAMESPACE = uuid.UUID("8a0d6f4e-3f5c-4b7e-9a51-6b1f2c0e7d31")


def finding_id_of(command_id: str) -> str:
    """A finding's id is fixed by the command that records it: a retry records it once."""
    return str(uuid.uuid5(NAMESPACE, command_id))


@dataclass
class Service:
    """What the handlers share: the runtime, settings, the kecamatan lookup, the vault."""

    rt: Runtime
    settings: IntegritySettings
    kecamatans: Kecamatans
    vault: Vault
    queries: Queries

    @classmethod
    def build(cls, rt: Runtime, settings: IntegritySettings) -> Service:
        secret = rt.settings.secret_key.get_secret_value()
        return cls(
            rt=rt,
            settings=settings,
            kecamatans=Kecamatans(rt.store),
            vault=Vault(rt.pool, settings.key_schema, secret),
            queries=Queries(rt.pool, rt.schema),
        )

    async def directory(self, req: RpcRequest) -> Directory:
        """Read-your-writes, then the kecamatan's set-up (404 if never configured)."""
        await self.rt.wait_for(req.tenant.kab, req.wait_for)
        return await self.kecamatans.directory(req.tenant)

    async def visit(self, tenant: Tenant, cmd: RecordFinding) -> domain.Visit | None:
        """The linked Serasa Desa visit, looked up again at the log's head if unknown."""
        if cmd.visit_id is None or cmd.source is not FindingSource.SERASA_DESA:
            return None
        visit = await self.queries.visit(tenant.kab, tenant.kec, cmd.visit_id)
        if visit is None:
            await self.rt.catch_up(tenant.kab)
            visit = await self.queries.visit(tenant.kab, tenant.kec, cmd.visit_id)
        return visit


def body_of(req: RpcRequest) -> dict[str, Any]:
    if not isinstance(req.body, dict):
        raise InvalidInput(
            "body",
            "Isi permintaan harus berupa objek JSON",
            "The request body must be a JSON object",
        )
    return req.body


def parse_finding_id(raw: object) -> str:
    try:
        return str(uuid.UUID(str(raw)))
    except ValueError:
        raise UnknownFinding(str(raw)[:64]) from None


async def record_finding(svc: Service, req: RpcRequest) -> RpcReply:
    """Every rule that needs no state is judged before the finding's data key is made."""
    tenant = req.tenant
    directory = await svc.directory(req)
    cmd = RecordFinding.model_validate(body_of(req))
    finding_id = finding_id_of(req.command_id)
    ref = finding_ref(tenant, finding_id)
    today, visit = jakarta_today(), await svc.visit(tenant, cmd)
    if (await svc.rt.runner.load(FINDING, ref)).state.status is None:
        domain.admit(cmd, directory, today, visit)
    sealed = await svc.vault.seal(tenant, finding_id, cmd.texts())
    token = svc.vault.official_token(tenant, cmd.official_ref)
    ctx = Recording(finding_id, today, directory, sealed, token, visit)
    out = await svc.rt.runner.execute(
        FINDING, ref, req.meta, lambda state: domain.record_finding(state, cmd, ctx)
    )
    return RpcReply(status=201, position=out.position, data={"finding_id": finding_id})


class Texts(Protocol):
    def texts(self) -> dict[str, str]: ...


C = TypeVar("C", bound=Texts)
Decide = Callable[[Finding, C, Acting], Sequence[DomainEvent]]


async def act_on_finding(
    svc: Service, req: RpcRequest, parse: Callable[[Any], C], decide: Decide[C]
) -> RpcReply:
    """Follow up, resolve or dismiss: an unknown finding is refused before any sealing."""
    tenant = req.tenant
    await svc.directory(req)
    finding_id = parse_finding_id(req.params.get("id"))
    ref = finding_ref(tenant, finding_id)
    if (await svc.rt.runner.load(FINDING, ref)).state.status is None:
        raise UnknownFinding(finding_id)
    cmd = parse(body_of(req))
    sealed = await svc.vault.seal(tenant, finding_id, cmd.texts())
    ctx = Acting(finding_id, jakarta_today(), sealed)
    out = await svc.rt.runner.execute(FINDING, ref, req.meta, lambda state: decide(state, cmd, ctx))
    return RpcReply(status=200, position=out.position, data={"finding_id": finding_id})


async def follow_up_finding(svc: Service, req: RpcRequest) -> RpcReply:
    return await act_on_finding(svc, req, FollowUpFinding.model_validate, domain.follow_up_finding)


async def resolve_finding(svc: Service, req: RpcRequest) -> RpcReply:
    return await act_on_finding(svc, req, ResolveFinding.model_validate, domain.resolve_finding)


async def dismiss_finding(svc: Service, req: RpcRequest) -> RpcReply:
    return await act_on_finding(svc, req, DismissFinding.model_validate, domain.dismiss_finding)
