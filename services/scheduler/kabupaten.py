"""The scheduler's part of the kabupaten view: every kecamatan that was PUT, in code
order, with the year's activities scheduled and held, in one query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.contracts.kabupaten import SchedulerKabupaten, SchedulerRows
from shared.db import ident
from shared.edge.kit import Ctx

if TYPE_CHECKING:
    from services.scheduler.deps import Deps

ROWS = """
select k.code, k.name,
  coalesce(sum(e.scheduled), 0)::bigint as activities_scheduled,
  coalesce(sum(e.held), 0)::bigint as activities_held
from {s}.kecamatan k
left join {s}.execution_rate e on e.kab = k.kab and e.kec = k.kec and e.year = $2
where k.kab = $1
group by k.kec, k.code, k.name
order by k.kec
"""


async def kabupaten_summary(q: SchedulerKabupaten, ctx: Ctx[Deps]) -> SchedulerRows:
    """`execution_rate` summed as the kecamatan's `summary` sums it, over every kind."""
    rows = await ctx.rt.pool.fetch(ROWS.format(s=ident(ctx.rt.schema)), ctx.kab, q.year)
    return SchedulerRows.model_validate({"kecamatan": [dict(r) for r in rows]})
