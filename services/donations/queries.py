"""Read-side SQL over the donations schema: the fund, the recap, units, the public ledger;
and the query functions that answer them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import asyncpg

from shared.contracts.donations import (
    Cashbook,
    CashbookDetail,
    CashbookQuery,
    DonationList,
    DonationsQuery,
    DonationsSummary,
    FundFigures,
    FundQuery,
    Periods,
    PeriodsQuery,
    Recap,
    RecapQuery,
    SummaryQuery,
    Transparency,
    TransparencyQuery,
    Units,
    UnitsQuery,
)
from shared.db import ident
from shared.edge.kit import Ctx
from shared.tenancy import Tenant

if TYPE_CHECKING:
    from services.donations.deps import Deps

MONTHS = range(1, 13)
EMPTY_MONTH = dict.fromkeys(
    (
        "donations",
        "donations_idr",
        "voided_idr",
        "units_taking_part",
        "packages_procured",
        "spent_idr",
    ),
    0,
)
RECAP_MONTHS = """
select m.month, m.donations, m.donated_idr - m.voided_idr as donations_idr, m.voided_idr,
  (select count(*) from {s}.unit_monthly u
   where (u.kab, u.kec, u.year, u.month) = (m.kab, m.kec, m.year, m.month) and u.donations > 0
  ) as units_taking_part,
  m.packages_procured, m.spent_idr
from {s}.monthly_recap m where m.kab = $1 and m.kec = $2 and m.year = $3
"""


CASHBOOK_OPENING = """
select coalesce(sum(in_idr - out_idr), 0) from {s}.cashbook
where kab = $1 and kec = $2 and day < $3
"""
CASHBOOK_MONTH = """
select day as date, kind, ref, in_idr, out_idr, receipt_no, unit, supplier, packages,
  category, description
from {s}.cashbook where kab = $1 and kec = $2 and day >= $3 and day < $4 order by day, seq
"""


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first day of the month and of the next."""
    return date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)


class Queries:
    """Answers from the read models; never touches the log."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.s = ident(schema)

    async def fund(self, t: Tenant) -> FundFigures:
        row = await self.pool.fetchrow(
            f"select donated_idr, voided_idr, spent_idr, packages_procured from {self.s}.fund"
            " where kab = $1 and kec = $2",
            t.kab,
            t.kec,
        )
        donated, voided, spent, packages = tuple(row) if row else (0, 0, 0, 0)
        return FundFigures(
            donated_idr=donated,
            voided_idr=voided,
            spent_idr=spent,
            balance_idr=donated - voided - spent,
            packages_procured=packages,
        )

    async def summary(self, t: Tenant, year: int) -> DonationsSummary:
        row = await self.pool.fetchrow(
            f"select coalesce(sum(donated_idr - voided_idr), 0) as donations_idr,"
            f" coalesce(sum(spent_idr), 0) as spent_idr from {self.s}.monthly_recap"
            " where kab = $1 and kec = $2 and year = $3",
            t.kab,
            t.kec,
            year,
        )
        assert row is not None
        return DonationsSummary(
            donations_idr=int(row["donations_idr"]), spent_idr=int(row["spent_idr"])
        )

    async def recap(self, t: Tenant, year: int, units: tuple[str, ...]) -> Recap:
        """Twelve rows, zeros included; `closing_balance_idr` by business date."""
        opening = await self.pool.fetchval(
            f"select coalesce(sum(donated_idr - voided_idr - spent_idr), 0)"
            f" from {self.s}.monthly_recap where kab = $1 and kec = $2 and year < $3",
            t.kab,
            t.kec,
            year,
        )
        found = await self.pool.fetch(RECAP_MONTHS.format(s=self.s), t.kab, t.kec, year)
        by_month = {r["month"]: dict(r) for r in found}
        balance, rows = int(opening), []
        for month in MONTHS:
            row = {"month": month, **EMPTY_MONTH, **by_month.get(month, {})}
            balance += row["donations_idr"] - row["spent_idr"]
            rows.append({**row, "units_total": len(units), "closing_balance_idr": balance})
        return Recap.model_validate({"year": year, "rows": rows})

    async def units(self, t: Tenant, year: int | None, units: tuple[str, ...]) -> Units:
        """Every configured unit (zeros included) and any other unit that gave, in order."""
        found = {
            r["unit"]: r
            for r in await self.pool.fetch(
                f"select unit, sum(donations) as donations, sum(amount_idr) as amount_idr,"
                f" count(*) filter (where donations > 0) as months from {self.s}.unit_monthly"
                " where kab = $1 and kec = $2 and ($3::int is null or year = $3) group by unit",
                t.kab,
                t.kec,
                year,
            )
        }
        names = [*units, *sorted(set(found) - set(units))]
        rows = [
            {
                "unit": name,
                "donations": int(found[name]["donations"]) if name in found else 0,
                "amount_idr": int(found[name]["amount_idr"]) if name in found else 0,
                "months_taking_part": int(found[name]["months"]) if name in found else 0,
            }
            for name in names
        ]
        return Units.model_validate({"year": year, "units": rows})

    async def donations(self, t: Tenant, year: int | None) -> DonationList:
        """The donations by receipt, newest first, with their ids; no donor names."""
        rows = await self.pool.fetch(
            f"select donation_id, receipt_no, received_on, unit, amount_idr, voided"
            f" from {self.s}.ledger_donations where kab = $1 and kec = $2"
            " and ($3::int is null or receipt_year = $3)"
            " order by receipt_year desc, receipt_no desc",
            t.kab,
            t.kec,
            year,
        )
        return DonationList.model_validate({"year": year, "donations": [dict(r) for r in rows]})

    async def cashbook(self, t: Tenant, year: int, month: int) -> CashbookDetail:
        """A month of the cash book: the balance brought forward (every earlier movement by
        business date), each entry in date order then in the order written, with the
        balance after it."""
        first, after = month_bounds(year, month)
        opening = int(
            await self.pool.fetchval(CASHBOOK_OPENING.format(s=self.s), t.kab, t.kec, first)
        )
        rows = await self.pool.fetch(CASHBOOK_MONTH.format(s=self.s), t.kab, t.kec, first, after)
        balance, entries = opening, []
        for row in rows:
            balance += row["in_idr"] - row["out_idr"]
            entries.append({**dict(row), "balance_idr": balance})
        closed = await self.pool.fetchval(
            f"select exists (select 1 from {self.s}.periods where kab = $1 and kec = $2"
            " and period >= $3)",
            t.kab,
            t.kec,
            f"{year:04d}-{month:02d}",
        )
        return CashbookDetail.model_validate(
            {
                "year": year,
                "month": month,
                "closed": closed,
                "opening_idr": opening,
                "entries": entries,
                "closing_idr": balance,
            }
        )

    async def periods(self, t: Tenant) -> Periods:
        rows = await self.pool.fetch(
            f"select period from {self.s}.periods where kab = $1 and kec = $2 order by period",
            t.kab,
            t.kec,
        )
        return Periods(closed=[r["period"] for r in rows])

    async def transparency(self, t: Tenant, year: int | None) -> Transparency:
        """The public ledger: every donation by receipt, every lot bought; no donor names."""
        donations = await self.pool.fetch(
            f"select receipt_no, received_on, unit, amount_idr, voided, voided_on"
            f" from {self.s}.ledger_donations where kab = $1 and kec = $2"
            " and ($3::int is null or receipt_year = $3) order by receipt_year, receipt_no",
            t.kab,
            t.kec,
            year,
        )
        lots = await self.pool.fetch(
            f"select purchased_on, packages, unit_price_idr, total_idr, supplier,"
            f" balance_after_idr from {self.s}.ledger_procurements where kab = $1 and kec = $2"
            " and ($3::int is null or extract(year from purchased_on) = $3) order by seq",
            t.kab,
            t.kec,
            year,
        )
        return Transparency.model_validate(
            {
                "year": year,
                "fund": await self.fund(t),
                "donations": [dict(r) for r in donations],
                "procurements": [dict(r) for r in lots],
            }
        )


def _this_year(year: int | None, ctx: Ctx[Deps]) -> int:
    return year or ctx.today.year


async def fund(q: FundQuery, ctx: Ctx[Deps]) -> FundFigures:
    return await ctx.deps.queries.fund(ctx.tenant)


async def summary(q: SummaryQuery, ctx: Ctx[Deps]) -> DonationsSummary:
    return await ctx.deps.queries.summary(ctx.tenant, _this_year(q.year, ctx))


async def recap(q: RecapQuery, ctx: Ctx[Deps]) -> Recap:
    units = tuple(ctx.setup.units)
    return await ctx.deps.queries.recap(ctx.tenant, _this_year(q.year, ctx), units)


async def units(q: UnitsQuery, ctx: Ctx[Deps]) -> Units:
    return await ctx.deps.queries.units(ctx.tenant, q.year, tuple(ctx.setup.units))


async def transparency(q: TransparencyQuery, ctx: Ctx[Deps]) -> Transparency:
    return await ctx.deps.queries.transparency(ctx.tenant, q.year)


async def donations(q: DonationsQuery, ctx: Ctx[Deps]) -> DonationList:
    return await ctx.deps.queries.donations(ctx.tenant, q.year)


async def cashbook_detail(q: CashbookQuery, ctx: Ctx[Deps]) -> CashbookDetail:
    """The month asked for; `year` or `month` absent: this one in Jakarta."""
    year, month = q.year or ctx.today.year, q.month or ctx.today.month
    return await ctx.deps.queries.cashbook(ctx.tenant, year, month)


async def cashbook(q: CashbookQuery, ctx: Ctx[Deps]) -> Cashbook:
    return (await cashbook_detail(q, ctx)).public()


async def periods(q: PeriodsQuery, ctx: Ctx[Deps]) -> Periods:
    return await ctx.deps.queries.periods(ctx.tenant)
