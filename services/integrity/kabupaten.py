"""The integrity service's part of the kabupaten view: each kecamatan's findings (not
dismissed) of the year and of the year before, in one query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.integrity.queries import COUNTED
from shared.contracts.kabupaten import IntegrityKabupaten, IntegrityRows
from shared.db import ident
from shared.edge.kit import Ctx
from shared.tenancy import dot

if TYPE_CHECKING:
    from services.integrity.deps import Deps

ROWS = """
select kec,
  count(*) filter (where found_on between make_date($2, 1, 1) and make_date($2, 12, 31))::int
    as findings,
  count(*) filter (where found_on < make_date($2, 1, 1))::int as findings_previous_year
from {s}.findings
where kab = $1 and {counted} and found_on between make_date($2 - 1, 1, 1) and make_date($2, 12, 31)
group by kec order by kec
"""


async def kabupaten_summary(q: IntegrityKabupaten, ctx: Ctx[Deps]) -> IntegrityRows:
    """`findings` is the year's entry of the kecamatan's `findings_by_year`."""
    sql = ROWS.format(s=ident(ctx.rt.schema), counted=COUNTED)
    rows = await ctx.rt.pool.fetch(sql, ctx.kab, q.year)
    found = [{**dict(r), "code": dot(r["kec"])} for r in rows]
    return IntegrityRows.model_validate({"kecamatan": found})
