"""Households and suggestions from the read models: never the log, never a clear number."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import asyncpg

from services.distribution.domain import aid_on, is_priority
from services.distribution.scope import path_id, unknown
from shared.contracts.distribution import (
    HouseholdMembers,
    HouseholdMembersQuery,
    HouseholdQuery,
    Households,
    HouseholdsQuery,
    MaskedHousehold,
    MaskedMember,
    Suggestion,
    Suggestions,
    SuggestionsQuery,
)
from shared.edge.kit import Ctx
from shared.events.distribution import Aid
from shared.runtime import Runtime
from shared.tenancy import Tenant

if TYPE_CHECKING:
    from services.distribution.deps import Deps

Timeline = list[tuple[date, tuple[Aid, ...]]]


def month_bounds(month: str) -> tuple[date, date]:
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def clamp(day: date, first: date, last: date) -> date:
    """The date eligibility is judged on for a period: today, kept inside the period."""
    return min(max(day, first), last)


async def known_row(rt: Runtime, tenant: Tenant, sql: str, *args: Any) -> asyncpg.Record | None:
    """One row the caller names; looked for again after catching up before it is unknown."""
    row = await rt.pool.fetchrow(sql, *args)
    if row is None:
        await rt.catch_up(tenant.kab)
        row = await rt.pool.fetchrow(sql, *args)
    return row


async def timelines(rt: Runtime, ids: Sequence[str]) -> dict[str, Timeline]:
    rows = await rt.pool.fetch(
        f"select household_id, as_of, aid from {rt.schema}.aid_changes"
        " where household_id = any($1::text[]) order by household_id, as_of",
        list(ids),
    )
    found: dict[str, Timeline] = defaultdict(list)
    for r in rows:
        found[r["household_id"]].append((r["as_of"], tuple(Aid(a) for a in r["aid"])))
    return found


def eligible(row: asyncpg.Record, changes: Timeline, day: date, excluding: Collection[Aid]) -> bool:
    held = aid_on([Aid(a) for a in row["aid"]], changes, day)
    return not row["forgotten"] and is_priority(held, excluding)


def masked_answer(
    row: asyncpg.Record, changes: Timeline, today: date, excluding: Collection[Aid]
) -> MaskedHousehold:
    if row["forgotten"]:
        return MaskedHousehold(
            household_id=row["household_id"],
            name_masked=None,
            nik_masked=None,
            desa=None,
            desil=None,
            aid=[],
            eligible=False,
            forgotten=True,
        )
    return MaskedHousehold(
        household_id=row["household_id"],
        name_masked=row["name_masked"],
        nik_masked=row["nik_masked"],
        desa=row["desa"],
        desil=row["desil"],
        aid=list(aid_on([Aid(a) for a in row["aid"]], changes, today)),
        eligible=eligible(row, changes, today, excluding),
        forgotten=False,
    )


async def listed(
    rt: Runtime, tenant: Tenant, desa: str | None, today: date, excluding: Collection[Aid]
) -> Households:
    rows = await rt.pool.fetch(
        f"select * from {rt.schema}.households where kab = $1 and kec = $2"
        " and ($3::text is null or desa = $3) order by desa, household_id",
        tenant.kab,
        tenant.kec,
        desa,
    )
    changes = await timelines(rt, [r["household_id"] for r in rows])
    return Households(
        households=[masked_answer(r, changes[r["household_id"]], today, excluding) for r in rows]
    )


def _priority(row: asyncpg.Record) -> tuple[bool, int, date, str]:
    """Never received first, then lower desil, then the longest since the last package."""
    last = row["last_received"]
    return (last is not None, row["desil"], last or date.min, row["household_id"])


def _suggestion(row: asyncpg.Record) -> Suggestion:
    return Suggestion(
        household_id=row["household_id"],
        name_masked=row["name_masked"],
        nik_masked=row["nik_masked"],
        desil=row["desil"],
        last_received=row["last_received"],
    )


async def suggested(
    rt: Runtime, tenant: Tenant, desa: str, month: str, today: date, excluding: Collection[Aid]
) -> Suggestions:
    """The desa's eligible households not served that month, in priority order, not cut to
    the quota. Eligibility is judged on today, kept inside the round's month."""
    first, last = month_bounds(month)
    rows = await rt.pool.fetch(
        f"select h.*, (select max(p.distributed_on) from {rt.schema}.packages p"
        "   where p.household_id = h.household_id and p.distributed_on < $5) as last_received"
        f" from {rt.schema}.households h where h.kab = $1 and h.kec = $2 and h.desa = $3"
        " and not h.forgotten and not exists (select 1 from"
        f" {rt.schema}.packages p where p.household_id = h.household_id and p.month = $4)",
        *(tenant.kab, tenant.kec, desa, month, first),
    )
    changes = await timelines(rt, [r["household_id"] for r in rows])
    day = clamp(today, first, last)
    chosen = [r for r in rows if eligible(r, changes[r["household_id"]], day, excluding)]
    return Suggestions(suggestions=[_suggestion(r) for r in sorted(chosen, key=_priority)])


async def named_row(ctx: Ctx[Deps], what: str, ident: str, sql: str, *args: Any) -> asyncpg.Record:
    """A row the caller names by its id: known, and of the caller's desa."""
    row = await known_row(ctx.rt, ctx.tenant, sql, *args)
    if row is None:
        raise unknown(ctx, what, ident)
    ctx.require_desa(row["desa"])
    return row


async def household_get(q: HouseholdQuery, ctx: Ctx[Deps]) -> MaskedHousehold:
    rt, t = ctx.rt, ctx.tenant
    household_id = path_id(ctx, "household")
    sql = f"select * from {rt.schema}.households where household_id = $1 and kab = $2 and kec = $3"
    row = await named_row(ctx, "household", household_id, sql, household_id, t.kab, t.kec)
    changes = await timelines(rt, [household_id])
    return masked_answer(row, changes[household_id], ctx.today, ctx.deps.excluding)


async def household_members(q: HouseholdMembersQuery, ctx: Ctx[Deps]) -> HouseholdMembers:
    """The members as the read model masks them (none once forgotten)."""
    rt, t = ctx.rt, ctx.tenant
    household_id = path_id(ctx, "household")
    sql = f"select * from {rt.schema}.households where household_id = $1 and kab = $2 and kec = $3"
    row = await named_row(ctx, "household", household_id, sql, household_id, t.kab, t.kec)
    pairs = zip(row["member_names_masked"], row["member_niks_masked"], strict=True)
    return HouseholdMembers(
        household_id=household_id,
        members=[MaskedMember(name_masked=n, nik_masked=k) for n, k in pairs],
    )


async def households(q: HouseholdsQuery, ctx: Ctx[Deps]) -> Households:
    """Of one desa if asked; an operator's own desa only."""
    if q.desa:
        ctx.require_desa(q.desa)
    desa = ctx.confined_desa or q.desa or None
    return await listed(ctx.rt, ctx.tenant, desa, ctx.today, ctx.deps.excluding)


async def round_suggestions(q: SuggestionsQuery, ctx: Ctx[Deps]) -> Suggestions:
    rt, t = ctx.rt, ctx.tenant
    round_id = path_id(ctx, "round")
    sql = (
        f"select desa, month from {rt.schema}.rounds where round_id = $1 and kab = $2 and kec = $3"
    )
    found = await named_row(ctx, "round", round_id, sql, round_id, t.kab, t.kec)
    return await suggested(rt, t, found["desa"], found["month"], ctx.today, ctx.deps.excluding)
