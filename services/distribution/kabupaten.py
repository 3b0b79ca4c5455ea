"""The distribution service's part of the kabupaten view: each kecamatan's packages, their
value and the distinct households reached in the year, in one query; with `coverage`, the
households eligible on the day its coverage is judged (today, kept inside the year)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from services.distribution.queries import clamp, eligible, timelines
from shared.contracts.kabupaten import DistributionKabupaten, DistributionRows
from shared.db import ident
from shared.edge.kit import Ctx
from shared.tenancy import dot

if TYPE_CHECKING:
    from services.distribution.deps import Deps

ROWS = """
select kec, count(*)::bigint as packages_distributed,
  coalesce(sum(value_idr), 0)::bigint as packages_value_idr,
  count(distinct household_id)::bigint as households_reached
from {s}.packages where kab = $1 and distributed_on between $2 and $3
group by kec order by kec
"""
NOTHING = dict.fromkeys(("packages_distributed", "packages_value_idr", "households_reached"), 0)
HOUSEHOLDS = """
select household_id, kec, aid, forgotten from {s}.households where kab = $1 and not forgotten
"""


async def eligible_per_kecamatan(ctx: Ctx[Deps], year: int) -> Counter[str]:
    """Households eligible on the day the kecamatan's coverage is judged, per kecamatan."""
    day = clamp(ctx.today, date(year, 1, 1), date(year, 12, 31))
    rows = await ctx.rt.pool.fetch(HOUSEHOLDS.format(s=ident(ctx.rt.schema)), ctx.kab)
    changes = await timelines(ctx.rt, [r["household_id"] for r in rows])
    excluding = ctx.deps.excluding
    return Counter(
        r["kec"] for r in rows if eligible(r, changes[r["household_id"]], day, excluding)
    )


async def kabupaten_summary(q: DistributionKabupaten, ctx: Ctx[Deps]) -> DistributionRows:
    """`packages` counted by `distributed_on`, as the kecamatan's `summary` counts them."""
    sql = ROWS.format(s=ident(ctx.rt.schema))
    found = {
        r["kec"]: dict(r)
        for r in await ctx.rt.pool.fetch(sql, ctx.kab, date(q.year, 1, 1), date(q.year, 12, 31))
    }
    counted = await eligible_per_kecamatan(ctx, q.year) if q.coverage else None
    rows = [
        {
            **NOTHING,
            **found.get(kec, {}),
            "code": dot(kec),
            "eligible": None if counted is None else counted[kec],
        }
        for kec in sorted(found.keys() | (counted or {}).keys())
    ]
    return DistributionRows.model_validate({"kecamatan": rows})
