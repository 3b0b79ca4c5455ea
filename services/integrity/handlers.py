"""One async function per command: gather what the rules need, then decide and append in
the runner, which loads the finding once and seals its free text under the finding's key
(made only for an event about to be stored)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from services.integrity import domain
from services.integrity.deps import Deps
from services.integrity.domain import Acting, Directory, Finding, Recording, UnknownFinding
from shared.contracts.integrity import (
    DismissFinding,
    FindingRef,
    FollowUpFinding,
    RecordFinding,
    ResolveFinding,
)
from shared.edge.kit import Ctx, Written
from shared.events.base import Clear, DomainEvent
from shared.events.integrity import FINDING_AGGREGATE, SERVICE, FindingSource, finding_ref
from shared.log.aggregate import AggregateType

FINDING = AggregateType[Finding](SERVICE, FINDING_AGGREGATE, Finding, domain.evolve)
NAMESPACE = uuid.UUID("8a0d6f4e-3f5c-4b7e-9a51-6b1f2c0e7d31")


def finding_id_of(command_id: str) -> str:
    """A finding's id is fixed by the command that records it: a retry records it once."""
    return str(uuid.uuid5(NAMESPACE, command_id))


def directory(ctx: Ctx[Deps]) -> Directory:
    """The kecamatan's desa and units, from the set-up the edge checked."""
    return Directory.of(ctx.setup)


async def linked_visit(cmd: RecordFinding, ctx: Ctx[Deps]) -> domain.Visit | None:
    """The linked Serasa Desa visit, looked up again at the log's head if unknown."""
    if cmd.visit_id is None or cmd.source is not FindingSource.SERASA_DESA:
        return None
    kab, kec = ctx.tenant.kab, ctx.tenant.kec
    visit = await ctx.deps.queries.visit(kab, kec, cmd.visit_id)
    if visit is None:
        await ctx.rt.catch_up(kab)
        visit = await ctx.deps.queries.visit(kab, kec, cmd.visit_id)
    return visit


def personal(texts: dict[str, str]) -> dict[str, str]:
    """Free text may name people: marked for the runner to seal."""
    return {name: Clear(text) for name, text in texts.items()}


async def record_finding(cmd: RecordFinding, ctx: Ctx[Deps]) -> Written[FindingRef]:
    """The rules are judged once, in `decide`; a retry of a recorded finding answers the
    first answer even where the rules now refuse (the runner replays it before deciding)."""
    tenant, finding_id = ctx.tenant, finding_id_of(ctx.command_id)
    known, visit = directory(ctx), await linked_visit(cmd, ctx)
    official = await ctx.deps.official_id(tenant, cmd.official)
    recording = Recording(finding_id, ctx.today, known, personal(cmd.texts()), official, visit)
    out = await ctx.rt.runner.execute(
        FINDING,
        finding_ref(tenant, finding_id),
        ctx.meta,
        lambda state: domain.record_finding(state, cmd, recording),
    )
    return Written(FindingRef(finding_id=finding_id), out.position, created=True)


async def known_finding(ctx: Ctx[Deps]) -> str:
    """The finding of the path; 404 unless the log holds it."""
    finding_id = ctx.path_uuid("Temuan", "Finding")
    loaded = await ctx.rt.runner.known(
        FINDING, finding_ref(ctx.tenant, finding_id), lambda state: state.status is not None
    )
    if loaded.state.status is None:
        raise UnknownFinding(finding_id)
    return finding_id


class Texts(Protocol):
    def texts(self) -> dict[str, str]: ...


C = TypeVar("C", bound=Texts)
Decide = Callable[[Finding, C, Acting], Sequence[DomainEvent]]


async def act_on_finding(cmd: C, ctx: Ctx[Deps], decide: Decide[C]) -> Written[FindingRef]:
    """Follow up, resolve or dismiss. The text is sealed under the key the recording made;
    an unknown finding is refused before any key is looked for."""
    tenant, finding_id = ctx.tenant, ctx.path_uuid("Temuan", "Finding")
    acting = Acting(finding_id, ctx.today, personal(cmd.texts()))
    out = await ctx.rt.runner.execute(
        FINDING, finding_ref(tenant, finding_id), ctx.meta, lambda s: decide(s, cmd, acting)
    )
    return Written(FindingRef(finding_id=finding_id), out.position)


async def follow_up_finding(cmd: FollowUpFinding, ctx: Ctx[Deps]) -> Written[FindingRef]:
    return await act_on_finding(cmd, ctx, domain.follow_up_finding)


async def resolve_finding(cmd: ResolveFinding, ctx: Ctx[Deps]) -> Written[FindingRef]:
    return await act_on_finding(cmd, ctx, domain.resolve_finding)


async def dismiss_finding(cmd: DismissFinding, ctx: Ctx[Deps]) -> Written[FindingRef]:
    return await act_on_finding(cmd, ctx, domain.dismiss_finding)
