"""The donations service's part of the kabupaten view: each kecamatan's donations net of
voids and its spending in the year, in one query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.contracts.kabupaten import DonationsKabupaten, DonationsRows
from shared.db import ident
from shared.edge.kit import Ctx
from shared.tenancy import dot

if TYPE_CHECKING:
    from services.donations.deps import Deps

ROWS = """
select kec, coalesce(sum(donated_idr - voided_idr), 0)::bigint as donations_idr,
  coalesce(sum(spent_idr), 0)::bigint as spent_idr
from {s}.monthly_recap where kab = $1 and year = $2
group by kec order by kec
"""


async def kabupaten_summary(q: DonationsKabupaten, ctx: Ctx[Deps]) -> DonationsRows:
    """`monthly_recap` summed as the kecamatan's `summary` sums it."""
    rows = await ctx.rt.pool.fetch(ROWS.format(s=ident(ctx.rt.schema)), ctx.kab, q.year)
    found = [{**dict(r), "code": dot(r["kec"])} for r in rows]
    return DonationsRows.model_validate({"kecamatan": found})
