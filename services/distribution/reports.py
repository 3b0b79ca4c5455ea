"""The distribution figures: per desa and month, coverage, rounds; SQL and queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING

from services.distribution.queries import clamp, eligible, timelines
from shared.contracts.distribution import (
    Coverage,
    DesaMonth,
    Distribution,
    DistributionQuery,
    DistributionSummary,
    Rounds,
    RoundsDue,
    RoundsDueQuery,
    RoundsQuery,
    SummaryQuery,
    Totals,
)
from shared.edge.kit import Ctx
from shared.events.distribution import Aid
from shared.runtime import Runtime
from shared.tenancy import Tenant

if TYPE_CHECKING:
    from services.distribution.deps import Deps


async def _year_totals(rt: Runtime, tenant: Tenant, year: int) -> Totals:
    row = await rt.pool.fetchrow(
        "select count(*) as packages, coalesce(sum(value_idr), 0) as value_idr,"
        " count(distinct household_id) as households_reached"
        f" from {rt.schema}.packages where kab = $1 and kec = $2"
        " and distributed_on between $3 and $4",
        tenant.kab,
        tenant.kec,
        date(year, 1, 1),
        date(year, 12, 31),
    )
    assert row is not None
    return Totals.model_validate({k: int(row[k]) for k in Totals.model_fields})


async def summary(q: SummaryQuery, ctx: Ctx[Deps]) -> DistributionSummary:
    """The year's packages by `distributed_on`, their value and the distinct households."""
    totals = await _year_totals(ctx.rt, ctx.tenant, q.year)
    return DistributionSummary(
        packages_distributed=totals.packages,
        packages_value_idr=totals.value_idr,
        households_reached=totals.households_reached,
    )


async def _eligible_per_desa(
    rt: Runtime, tenant: Tenant, day: date, excluding: Collection[Aid]
) -> Counter[str]:
    rows = await rt.pool.fetch(
        f"select household_id, desa, aid, forgotten from {rt.schema}.households"
        " where kab = $1 and kec = $2 and not forgotten",
        tenant.kab,
        tenant.kec,
    )
    changes = await timelines(rt, [r["household_id"] for r in rows])
    return Counter(
        r["desa"] for r in rows if eligible(r, changes[r["household_id"]], day, excluding)
    )


async def _coverage(
    rt: Runtime, tenant: Tenant, year: int, today: date, excluding: Collection[Aid]
) -> list[Coverage]:
    """Per desa (rotation order): households eligible on today kept inside the year, and
    distinct households reached that year (forgotten ones included)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    desa = [
        r["code"]
        for r in await rt.pool.fetch(
            f"select code from {rt.schema}.desa where kab = $1 and kec = $2 order by position",
            tenant.kab,
            tenant.kec,
        )
    ]
    reached = {
        r["desa"]: int(r["n"])
        for r in await rt.pool.fetch(
            f"select desa, count(distinct household_id) as n from {rt.schema}.packages"
            " where kab = $1 and kec = $2 and distributed_on between $3 and $4 group by desa",
            *(tenant.kab, tenant.kec, first, last),
        )
    }
    counted = await _eligible_per_desa(rt, tenant, clamp(today, first, last), excluding)
    codes = desa + sorted((set(reached) | set(counted)) - set(desa))
    return [Coverage(desa=c, eligible=counted[c], reached=reached.get(c, 0)) for c in codes]


async def distribution(q: DistributionQuery, ctx: Ctx[Deps]) -> Distribution:
    """Per desa and month: packages, value, households reached; the year's totals; and
    coverage per desa (eligible households judged on today, kept inside the year)."""
    rt, tenant, year = ctx.rt, ctx.tenant, q.year
    rows = await rt.pool.fetch(
        "select desa, month, packages, value_idr, households_reached"
        f" from {rt.schema}.monthly where kab = $1 and kec = $2 and month like $3"
        " order by month, desa",
        tenant.kab,
        tenant.kec,
        f"{year:04d}-%",
    )
    return Distribution(
        rows=[DesaMonth.model_validate(dict(r)) for r in rows],
        totals=await _year_totals(rt, tenant, year),
        coverage=await _coverage(rt, tenant, year, ctx.today, ctx.deps.excluding),
    )


async def rounds(q: RoundsQuery, ctx: Ctx[Deps]) -> Rounds:
    rows = await ctx.rt.pool.fetch(
        "select round_id, desa, month, quota, packages, closed"
        f" from {ctx.rt.schema}.rounds where kab = $1 and kec = $2 and month like $3"
        " order by month, desa",
        ctx.tenant.kab,
        ctx.tenant.kec,
        f"{q.year:04d}-%" if q.year else "%",
    )
    return Rounds.model_validate({"rounds": [dict(r) for r in rows]})


async def rounds_due(q: RoundsDueQuery, ctx: Ctx[Deps]) -> RoundsDue:
    """Rounds a held charity Friday made due and that nobody opened yet."""
    s = ctx.rt.schema
    rows = await ctx.rt.pool.fetch(
        f"select d.desa, d.month, d.activity_id, d.held_on from {s}.rounds_due d"
        " where d.kab = $1 and d.kec = $2 and not exists (select 1 from"
        f" {s}.rounds r where r.kab = d.kab and r.kec = d.kec and r.desa = d.desa"
        " and r.month = d.month) order by d.month, d.desa",
        ctx.tenant.kab,
        ctx.tenant.kec,
    )
    return RoundsDue.model_validate({"rounds_due": [dict(r) for r in rows]})
