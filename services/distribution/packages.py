"""One hand-out as answers show it (its BAST number, who received it masked, its evidence)
and the stock, from the ledger's read models."""

from __future__ import annotations

from typing import TYPE_CHECKING

import asyncpg

from services.distribution.queries import named_row
from services.distribution.scope import path_id
from shared.contracts.distribution import (
    Evidence,
    PackageQuery,
    Packages,
    PackagesQuery,
    PackageView,
    Receiver,
    Stock,
    StockQuery,
)
from shared.edge.kit import Ctx

if TYPE_CHECKING:
    from services.distribution.deps import Deps


def selected(schema: str, where: str) -> str:
    """Packages with who received them masked: a name the hand-out gives, else the head's
    (SENDIRI, unnamed) as the household shows it; nobody once the household is forgotten."""
    return (
        "select p.*, case when h.forgotten then null"
        " when p.received_name_masked is not null then p.received_name_masked"
        " when p.relation = 'SENDIRI' then h.name_masked end as name_masked"
        f" from {schema}.packages p left join {schema}.households h"
        f" on h.household_id = p.household_id where {where}"
    )


async def evidence_of(ctx: Ctx[Deps], package_ids: list[str]) -> dict[str, list[Evidence]]:
    files: dict[str, list[Evidence]] = {p: [] for p in package_ids}
    for f in await ctx.rt.pool.fetch(
        "select package_id, evidence_id, sha256 from"
        f" {ctx.rt.schema}.evidence where package_id = any($1::text[]) order by seq",
        package_ids,
    ):
        files[f["package_id"]].append(Evidence(evidence_id=f["evidence_id"], sha256=f["sha256"]))
    return files


def view(row: asyncpg.Record, evidence: list[Evidence]) -> PackageView:
    return PackageView(
        package_id=row["package_id"],
        household_id=row["household_id"],
        round_id=row["round_id"],
        distributed_on=row["distributed_on"],
        value_idr=row["value_idr"],
        bast_no=row["bast_no"],
        received_by=Receiver(name_masked=row["name_masked"], relation=row["relation"]),
        evidence=evidence,
    )


async def package_get(q: PackageQuery, ctx: Ctx[Deps]) -> PackageView:
    t, package_id = ctx.tenant, path_id(ctx, "package")
    sql = selected(ctx.rt.schema, "p.package_id = $1 and p.kab = $2 and p.kec = $3")
    row = await named_row(ctx, "package", package_id, sql, package_id, t.kab, t.kec)
    return view(row, (await evidence_of(ctx, [package_id]))[package_id])


async def packages(q: PackagesQuery, ctx: Ctx[Deps]) -> Packages:
    """The round's packages (an operator's own desa's only), in the order handed out."""
    t = ctx.tenant
    where = "p.round_id = $1 and p.kab = $2 and p.kec = $3 and ($4::text is null or p.desa = $4)"
    rows = await ctx.rt.pool.fetch(
        selected(ctx.rt.schema, where) + " order by p.seq",
        str(q.round_id),
        t.kab,
        t.kec,
        ctx.confined_desa,
    )
    files = await evidence_of(ctx, [r["package_id"] for r in rows])
    return Packages(packages=[view(r, files[r["package_id"]]) for r in rows])


async def stock(q: StockQuery, ctx: Ctx[Deps]) -> Stock:
    """Packages procured by the fund, handed out, adjusted, and left."""
    row = await ctx.rt.pool.fetchrow(
        f"select procured, distributed, adjusted from {ctx.rt.schema}.stock"
        " where kab = $1 and kec = $2",
        ctx.tenant.kab,
        ctx.tenant.kec,
    )
    procured, distributed, adjusted = (
        (row["procured"], row["distributed"], row["adjusted"]) if row else (0, 0, 0)
    )
    return Stock(
        procured=procured,
        distributed=distributed,
        adjusted=adjusted,
        in_stock=procured - distributed + adjusted,
    )
