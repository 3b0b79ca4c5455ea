"""Read-side SQL over the `integrity` schema (dismissed findings are never counted), and
the query functions that answer from it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import asyncpg

from services.integrity import reports
from services.integrity.domain import Visit
from services.integrity.reports import Group
from shared.contracts.integrity import (
    FindingsByUnit,
    FindingsByUnitQuery,
    FindingsByYear,
    FindingsSummary,
    FindingsSummaryQuery,
    OpenFindings,
    OpenFindingsQuery,
    SummaryQuery,
    Trend,
    TrendQuery,
    Visits,
    VisitsQuery,
    YearQuery,
)
from shared.edge.kit import Ctx

if TYPE_CHECKING:
    from services.integrity.deps import Deps

COUNTED = "status <> 'DISMISSED'"
OPEN = "status in ('RECORDED', 'FOLLOWED_UP')"


class Queries:
    """Questions to one service schema, always scoped to one kecamatan."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.schema = schema

    async def groups(self, kab: str, kec: str) -> list[Group]:
        rows = await self.pool.fetch(
            f"select extract(year from found_on)::int as year, category, severity,"
            f" subject_type, {OPEN} as is_open, count(*)::int as n from {self.schema}.findings"
            f" where kab = $1 and kec = $2 and {COUNTED} group by 1, 2, 3, 4, 5",
            kab,
            kec,
        )
        return [
            Group(r["year"], r["category"], r["severity"], r["subject_type"], r["is_open"], r["n"])
            for r in rows
        ]

    async def repeat_officials(self, kab: str, kec: str) -> int:
        """Officials named by two counted findings found within 24 months of each other."""
        found = await self.pool.fetchval(
            f"select count(distinct a.official_id)::int from {self.schema}.findings a"
            f" join {self.schema}.findings b on b.kab = a.kab and b.kec = a.kec"
            " and b.official_id = a.official_id and b.finding_id <> a.finding_id"
            " and b.found_on between a.found_on and a.found_on + interval '24 months'"
            " where a.kab = $1 and a.kec = $2 and a.official_id is not null"
            f" and a.{COUNTED} and b.{COUNTED}",
            kab,
            kec,
        )
        return int(found or 0)

    async def by_year(self, kab: str, kec: str, upto: int | None = None) -> dict[int, int]:
        rows = await self.pool.fetch(
            f"select extract(year from found_on)::int as year, count(*)::int as n"
            f" from {self.schema}.findings where kab = $1 and kec = $2 and {COUNTED}"
            f" and ($3::int is null or extract(year from found_on) <= $3) group by 1",
            kab,
            kec,
            upto,
        )
        return {r["year"]: r["n"] for r in rows}

    async def by_unit(self, kab: str, kec: str, year: int | None) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            f"select unit, unit_name as name, desa, count(*)::int as findings,"
            f" count(*) filter (where {OPEN})::int as open from {self.schema}.findings"
            f" where kab = $1 and kec = $2 and {COUNTED}"
            f" and ($3::int is null or extract(year from found_on) = $3)"
            f" group by unit, unit_name, desa order by unit",
            kab,
            kec,
            year,
        )
        return [dict(r) for r in rows]

    async def open_findings(self, kab: str, kec: str) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            f"select finding_id, unit, unit_name, desa, category, severity, subject_type,"
            f" source, found_on,"
            f" status, follow_ups, visit_id from {self.schema}.findings"
            f" where kab = $1 and kec = $2 and {OPEN} order by found_on, finding_id",
            kab,
            kec,
        )
        return [dict(r) for r in rows]

    async def visits(self, kab: str, kec: str, year: int) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            f"select v.visit_id, v.host_desa, v.held_on,"
            f" (select count(*) from {self.schema}.findings f where f.kab = v.kab"
            f"  and f.kec = v.kec and f.visit_id = v.visit_id and f.{COUNTED})::int as findings"
            f" from {self.schema}.visits v where v.kab = $1 and v.kec = $2"
            f" and extract(year from v.held_on) = $3 order by v.held_on, v.visit_id",
            kab,
            kec,
            year,
        )
        return [dict(r) for r in rows]

    async def findings_per_desa(self, kab: str, kec: str, year: int) -> dict[str, int]:
        rows = await self.pool.fetch(
            f"select desa, count(*)::int as n from {self.schema}.findings"
            f" where kab = $1 and kec = $2 and desa is not null and {COUNTED}"
            f" and extract(year from found_on) = $3 group by desa",
            kab,
            kec,
            year,
        )
        return {r["desa"]: r["n"] for r in rows}

    async def visit(self, kab: str, kec: str, visit_id: str) -> Visit | None:
        row = await self.pool.fetchrow(
            f"select visit_id, host_desa, held_on from {self.schema}.visits"
            f" where kab = $1 and kec = $2 and visit_id = $3",
            kab,
            kec,
            visit_id,
        )
        return None if row is None else Visit(row["visit_id"], row["host_desa"], row["held_on"])


def _year(q: YearQuery, ctx: Ctx[Deps]) -> int:
    return q.year or ctx.today.year


async def findings_summary(q: FindingsSummaryQuery, ctx: Ctx[Deps]) -> FindingsSummary:
    kab, kec = ctx.tenant.kab, ctx.tenant.kec
    groups = await ctx.deps.queries.groups(kab, kec)
    repeats = await ctx.deps.queries.repeat_officials(kab, kec)
    return FindingsSummary.model_validate(reports.summary(groups, repeats))


async def findings_by_year(q: SummaryQuery, ctx: Ctx[Deps]) -> FindingsByYear:
    """`summary`: findings per year from the earliest one up to `year`, zeros included."""
    year = _year(q, ctx)
    counts = await ctx.deps.queries.by_year(ctx.tenant.kab, ctx.tenant.kec, upto=year)
    return FindingsByYear(findings_by_year=reports.years_up_to(counts, year))


async def findings_trend(q: TrendQuery, ctx: Ctx[Deps]) -> Trend:
    year = _year(q, ctx)
    counts = await ctx.deps.queries.by_year(ctx.tenant.kab, ctx.tenant.kec, upto=year)
    return Trend.model_validate(reports.trend(counts, year))


async def findings_by_unit(q: FindingsByUnitQuery, ctx: Ctx[Deps]) -> FindingsByUnit:
    units = await ctx.deps.queries.by_unit(ctx.tenant.kab, ctx.tenant.kec, q.year)
    return FindingsByUnit.model_validate({"year": q.year, "units": units})


async def open_findings(q: OpenFindingsQuery, ctx: Ctx[Deps]) -> OpenFindings:
    days = q.overdue_days or ctx.deps.settings.overdue_days
    rows = await ctx.deps.queries.open_findings(ctx.tenant.kab, ctx.tenant.kec)
    return OpenFindings.model_validate(reports.with_age(rows, ctx.today, days))


async def visits(q: VisitsQuery, ctx: Ctx[Deps]) -> Visits:
    """Serasa Desa visits beside the findings, per desa and per visit, in `year`."""
    year, (kab, kec) = _year(q, ctx), (ctx.tenant.kab, ctx.tenant.kec)
    held = await ctx.deps.queries.visits(kab, kec, year)
    found = await ctx.deps.queries.findings_per_desa(kab, kec, year)
    desa = reports.per_desa(tuple(ctx.setup.desa), [v["host_desa"] for v in held], found)
    return Visits.model_validate({"year": year, "desa": desa, "visits": held})
