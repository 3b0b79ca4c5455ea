"""The recipients export for the Dinas Sosial: the year's hand-outs with the names opened
here, by the service holding the households' keys, for the camat or an admin only; every
export is first recorded in the log (`RecipientsExported`: who, what, how many), and the
names travel only in the reply, never into a table, an event or a log line."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import asyncpg

from services.distribution.aggregates import HOUSEHOLD
from services.distribution.personal import unseal
from services.distribution.receivers import received_name
from shared.contracts.documents import EXPORTERS, ExportRecipients, RecipientRow, RecipientsExport
from shared.edge.kit import Ctx, Written
from shared.errors import Forbidden
from shared.events.base import DomainEvent
from shared.events.distribution import (
    SERVICE,
    RecipientsExported,
    household_ref,
    recipients_export_ref,
)
from shared.log.aggregate import AggregateType

if TYPE_CHECKING:
    from services.distribution.deps import Deps

EXPORT_NAMESPACE = uuid.UUID("5b0c3f1e-7d2a-4e61-9a53-2f8e3c9d1a47")


def _evolve(state: bool, event: DomainEvent) -> bool:
    return state or isinstance(event, RecipientsExported)


EXPORT = AggregateType[bool](SERVICE, "recipients_export", lambda: False, _evolve)
"""An export's record: True once it is in the log (a retried command appends nothing)."""


async def _packages(ctx: Ctx[Deps], cmd: ExportRecipients) -> list[asyncpg.Record]:
    return await ctx.rt.pool.fetch(
        "select p.package_id, p.household_id, p.desa, p.distributed_on, p.value_idr,"
        " p.bast_no, p.relation, p.seq, h.nik_masked, h.desil, h.registry, h.forgotten"
        f" from {ctx.rt.schema}.packages p left join {ctx.rt.schema}.households h"
        " on h.household_id = p.household_id"
        " where p.kab = $1 and p.kec = $2 and extract(year from p.distributed_on) = $3"
        " and ($4::text is null or p.desa = $4) order by p.distributed_on, p.seq nulls first",
        ctx.tenant.kab,
        ctx.tenant.kec,
        cmd.year,
        cmd.desa,
    )


async def _head_name(ctx: Ctx[Deps], household_id: str) -> str | None:
    key = await ctx.deps.keys.existing(household_id)
    if key is None:
        return None
    ref = household_ref(ctx.tenant, household_id)
    household = (await ctx.rt.runner.load(HOUSEHOLD, ref)).state
    return unseal(key, household_id, household.personal).name if household else None


async def _row(ctx: Ctx[Deps], r: asyncpg.Record, heads: dict[str, str | None]) -> RecipientRow:
    household_id = r["household_id"]
    if household_id not in heads:
        heads[household_id] = None if r["forgotten"] else await _head_name(ctx, household_id)
    taker = None
    if r["seq"] is not None and r["relation"] not in (None, "SENDIRI"):
        taker = await received_name(ctx.rt, ctx.deps.keys, ctx.tenant, r["seq"])
    return RecipientRow(
        bast_no=r["bast_no"],
        distributed_on=r["distributed_on"],
        desa=r["desa"],
        household_id=household_id,
        head_name=heads[household_id],
        nik_masked=None if r["forgotten"] else r["nik_masked"],
        relation=r["relation"],
        received_name=taker if taker is not None else heads[household_id],
        desil=r["desil"],
        registry=r["registry"],
        value_idr=r["value_idr"],
    )


async def export_recipients(cmd: ExportRecipients, ctx: Ctx[Deps]) -> Written[RecipientsExport]:
    """`recipients_export`: the export recorded (who, what, how many), then its rows."""
    scope = ctx.scope
    if scope is None or scope.role not in EXPORTERS:
        raise Forbidden()
    found = await _packages(ctx, cmd)
    export_id = str(uuid.uuid5(EXPORT_NAMESPACE, ctx.command_id))
    recorded = RecipientsExported(
        export_id=export_id,
        year=cmd.year,
        desa=cmd.desa,
        rows=len(found),
        exported_by=ctx.meta.actor,
        role=scope.role,
    )
    out = await ctx.rt.runner.execute(
        EXPORT,
        recipients_export_ref(ctx.tenant, export_id),
        ctx.meta,
        lambda done: [] if done else [recorded],
    )
    heads: dict[str, str | None] = {}
    rows = [await _row(ctx, r, heads) for r in found]
    reply = RecipientsExport(export_id=export_id, year=cmd.year, desa=cmd.desa, rows=rows)
    return Written(reply, out.position, created=not out.replayed)
