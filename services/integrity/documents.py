"""What the SKK report lists of the findings: counts by category, subject type and severity.

No unit, official or free text: a category and a subject type are not a person. The subject
type is read when the read model has it (findings v2), else the groups carry None."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.integrity.queries import COUNTED, OPEN
from shared.contracts.documents import FindingsGroup, FindingsRegister, FindingsRegisterQuery
from shared.edge.kit import Ctx

if TYPE_CHECKING:
    from services.integrity.deps import Deps


async def _has_subject_type(ctx: Ctx[Deps]) -> bool:
    found = await ctx.deps.queries.pool.fetchval(
        "select 1 from information_schema.columns where table_schema = $1"
        " and table_name = 'findings' and column_name = 'subject_type'",
        ctx.deps.queries.schema,
    )
    return found is not None


async def findings_register(q: FindingsRegisterQuery, ctx: Ctx[Deps]) -> FindingsRegister:
    subject = "subject_type" if await _has_subject_type(ctx) else "null::text"
    rows = await ctx.deps.queries.pool.fetch(
        f"select category, {subject} as subject_type,"
        " count(*) filter (where severity = 'RINGAN')::int as ringan,"
        " count(*) filter (where severity = 'SEDANG')::int as sedang,"
        " count(*) filter (where severity = 'BERAT')::int as berat,"
        f" count(*) filter (where {OPEN})::int as open"
        f" from {ctx.deps.queries.schema}.findings where kab = $1 and kec = $2 and {COUNTED}"
        " and extract(year from found_on) = $3 group by 1, 2 order by 1, 2 nulls first",
        ctx.tenant.kab,
        ctx.tenant.kec,
        q.year,
    )
    return FindingsRegister(year=q.year, groups=[FindingsGroup(**dict(r)) for r in rows])
