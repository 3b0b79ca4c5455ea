"""Figures of the distribution read models: per desa and month, coverage, stock, rounds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date
from typing import Any

from services.distribution.queries import clamp, eligible, timelines
from shared.events.distribution import Aid
from shared.runtime import Runtime
from shared.tenancy import Tenant


async def _year_totals(rt: Runtime, tenant: Tenant, year: int) -> dict[str, int]:
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
    return {k: int(row[k]) for k in ("packages", "value_idr", "households_reached")}


async def summary(rt: Runtime, tenant: Tenant, year: int) -> dict[str, Any]:
    """The year's packages by `distributed_on`, their value and the distinct households."""
    totals = await _year_totals(rt, tenant, year)
    return {
        "packages_distributed": totals["packages"],
        "packages_value_idr": totals["value_idr"],
        "households_reached": totals["households_reached"],
    }


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
) -> list[dict[str, Any]]:
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
    return [{"desa": c, "eligible": counted[c], "reached": reached.get(c, 0)} for c in codes]


async def distribution(
    rt: Runtime, tenant: Tenant, year: int, today: date, excluding: Collection[Aid]
) -> dict[str, Any]:
    """Per desa and month: packages, value, households reached; the year's totals; and
    coverage per desa (eligible households judged on today, kept inside the year)."""
    rows = await rt.pool.fetch(
        "select desa, month, packages, value_idr, households_reached"
        f" from {rt.schema}.monthly where kab = $1 and kec = $2 and month like $3"
        " order by month, desa",
        tenant.kab,
        tenant.kec,
        f"{year:04d}-%",
    )
    return {
        "rows": [
            {
                "desa": r["desa"],
                "month": r["month"],
                "packages": r["packages"],
                "value_idr": int(r["value_idr"]),
                "households_reached": r["households_reached"],
            }
            for r in rows
        ],
        "totals": await _year_totals(rt, tenant, year),
        "coverage": await _coverage(rt, tenant, year, today, excluding),
    }


async def stock(rt: Runtime, tenant: Tenant) -> dict[str, Any]:
    """Packages procured by the fund, handed out, and left."""
    row = await rt.pool.fetchrow(
        f"select procured, distributed from {rt.schema}.stock where kab = $1 and kec = $2",
        tenant.kab,
        tenant.kec,
    )
    procured, distributed = (row["procured"], row["distributed"]) if row else (0, 0)
    return {"procured": procured, "distributed": distributed, "available": procured - distributed}


async def rounds(rt: Runtime, tenant: Tenant, year: int | None) -> dict[str, Any]:
    rows = await rt.pool.fetch(
        "select round_id, desa, month, quota, packages, closed"
        f" from {rt.schema}.rounds where kab = $1 and kec = $2 and month like $3"
        " order by month, desa",
        tenant.kab,
        tenant.kec,
        f"{year:04d}-%" if year else "%",
    )
    return {"rounds": [dict(r) for r in rows]}


async def rounds_due(rt: Runtime, tenant: Tenant) -> dict[str, Any]:
    """Rounds a held charity Friday made due and that nobody opened yet."""
    rows = await rt.pool.fetch(
        f"select d.desa, d.month, d.activity_id, d.held_on from {rt.schema}.rounds_due d"
        " where d.kab = $1 and d.kec = $2 and not exists (select 1 from"
        f" {rt.schema}.rounds r where r.kab = d.kab and r.kec = d.kec and r.desa = d.desa"
        " and r.month = d.month) order by d.month, d.desa",
        tenant.kab,
        tenant.kec,
    )
    return {
        "rounds_due": [
            {
                "desa": r["desa"],
                "month": r["month"],
                "activity_id": r["activity_id"],
                "held_on": r["held_on"].isoformat(),
            }
            for r in rows
        ]
    }
