"""Read-side SQL over the scheduler schema: the set-up, the calendar, rates, attendance and
the rotation; and the query functions that answer them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import asyncpg

from services.scheduler.rota import KIND_ORDER
from services.scheduler.state import Turns
from shared.contracts.scheduler import (
    FRIDAY_KINDS,
    Activities,
    ActivitiesQuery,
    ActivitiesSummary,
    AttendanceQuery,
    AttendanceReport,
    ExecutionRate,
    ExecutionRateQuery,
    Kecamatan,
    KecamatanQuery,
    Rotation,
    RotationQuery,
    SummaryQuery,
)
from shared.db import ident
from shared.edge.kit import Ctx
from shared.errors import NotFound
from shared.events.scheduler import FRIDAY_ROTATION, ActivityKind, Desa
from shared.tenancy import Tenant

if TYPE_CHECKING:
    from services.scheduler.deps import Deps


def _kind_order(row: asyncpg.Record) -> int:
    return KIND_ORDER[ActivityKind(row["kind"])]


def _rate(scheduled: int, held: int) -> dict[str, Any]:
    rate = round(held / scheduled, 4) if scheduled else None
    return {"scheduled": scheduled, "held": held, "rate": rate}


class Queries:
    """Answers from the read models; never touches the log."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.s = ident(schema)

    async def _rows(self, t: Tenant, table: str, where: str, *args: Any) -> list[Any]:
        sql = f"select * from {self.s}.{table} where kab = $1 and kec = $2 and {where}"
        return list(await self.pool.fetch(sql, t.kab, t.kec, *args))

    async def kecamatan(self, t: Tenant) -> Kecamatan | None:
        """The kecamatan's set-up as projected, None when none is there (yet)."""
        row = await self.pool.fetchrow(
            f"select * from {self.s}.kecamatan where kab = $1 and kec = $2", t.kab, t.kec
        )
        if row is None:
            return None
        return Kecamatan(
            code=row["code"],
            name=row["name"],
            desa=json.loads(row["desa"]),
            units=json.loads(row["units"]),
            fifth_friday=row["fifth_friday"],
            days_off=json.loads(row["days_off"]),
        )

    async def activities(self, t: Tenant, year: int, month: int) -> Activities:
        """The activities of a month (by the month of their rota day), in date order."""
        rows = await self._rows(t, "calendar", "year = $3 and month = $4", year, month)
        rows.sort(key=lambda r: (r["date"], _kind_order(r)))
        return Activities.model_validate(
            {"activities": [{**dict(r), "id": r["activity_id"]} for r in rows]}
        )

    async def summary(self, t: Tenant, year: int) -> ActivitiesSummary:
        """The year's activities scheduled (not skipped) and held per kind, by date."""
        scheduled = dict.fromkeys(ActivityKind, 0)
        held = dict(scheduled)
        for row in await self._rows(t, "execution_rate", "year = $3", year):
            scheduled[ActivityKind(row["kind"])] += row["scheduled"]
            held[ActivityKind(row["kind"])] += row["held"]
        return ActivitiesSummary.model_validate(
            {"activities": {"scheduled": scheduled, "held": held}}
        )

    async def execution_rate(self, t: Tenant, year: int) -> ExecutionRate:
        """Held / scheduled per kind and month of the activity date, and per kind."""
        found = await self._rows(t, "execution_rate", "year = $3", year)
        found = [r for r in found if r["scheduled"] or r["held"]]
        found.sort(key=lambda r: (r["month"], _kind_order(r)))
        totals = {k.value: [0, 0] for k in ActivityKind}
        for r in found:
            totals[r["kind"]][0] += r["scheduled"]
            totals[r["kind"]][1] += r["held"]
        rows = [
            {"month": r["month"], "kind": r["kind"], **_rate(r["scheduled"], r["held"])}
            for r in found
        ]
        return ExecutionRate.model_validate(
            {
                "year": year,
                "rows": rows,
                "totals": {kind: _rate(s, h) for kind, (s, h) in totals.items()},
            }
        )

    async def attendance(self, t: Tenant, year: int, desa: Sequence[Desa]) -> AttendanceReport:
        """Activities held and their attendance per host desa (set-up order) and kind."""
        names = {d.code: d.name for d in desa}
        order = {code: i for i, code in enumerate(names)}
        found = await self._rows(t, "attendance", "year = $3", year)
        found.sort(key=lambda r: (order.get(r["desa"], len(order)), r["desa"], _kind_order(r)))
        rows = [{**dict(r), "name": names.get(r["desa"])} for r in found]
        return AttendanceReport.model_validate({"year": year, "rows": rows})

    async def rotation(self, t: Tenant, desa: Sequence[Desa]) -> Rotation:
        """Each rotation's round, the desa served in it, turns so far and who is next."""
        found = await self._rows(t, "rotation", "true")
        legacy = sorted(
            {r["rotation"] for r in found} - set(ROTATIONS),
            key=lambda k: KIND_ORDER[ActivityKind(k)],
        )
        return Rotation.model_validate(
            {"rotation": [_rotation(name, found, desa) for name in (*ROTATIONS, *legacy)]}
        )


ROTATIONS = {
    FRIDAY_ROTATION: FRIDAY_KINDS,
    ActivityKind.SERASA_DESA.value: (ActivityKind.SERASA_DESA,),
}
"""The rotations of months scheduled since v2 and their kinds; a name not here is a kind
that rotated on its own before."""


def _rotation(name: str, found: Sequence[asyncpg.Record], desa: Sequence[Desa]) -> dict[str, Any]:
    """One rotation as its rows stand: a per-kind one (before v2) names its one kind."""
    mine = {r["desa"]: r for r in found if r["rotation"] == name}
    round_ = max((r["last_round"] for r in mine.values()), default=0)
    served = frozenset(d for d, r in mine.items() if r["last_round"] == round_ and round_)
    next_desa, _ = Turns(round=round_, served=served).next_host([d.code for d in desa])
    turns = [
        {
            "code": d.code,
            "name": d.name,
            "turns": mine[d.code]["turns"] if d.code in mine else 0,
            "served_this_round": d.code in served,
        }
        for d in desa
    ]
    kinds = ROTATIONS[name] if name in ROTATIONS else (ActivityKind(name),)
    return {
        "rotation": name,
        "kinds": kinds,
        "round": round_,
        "next_desa": next_desa,
        "desa": turns,
    }


async def kecamatan(q: KecamatanQuery, ctx: Ctx[Deps]) -> Kecamatan:
    """Served before set-up: caught up to the log's head before answering 404."""
    found = await ctx.deps.queries.kecamatan(ctx.tenant)
    if found is None:
        await ctx.rt.catch_up(ctx.tenant.kab)
        found = await ctx.deps.queries.kecamatan(ctx.tenant)
    if found is None:
        raise NotFound("Kecamatan", ctx.tenant.kec_dotted)
    return found


async def activities(q: ActivitiesQuery, ctx: Ctx[Deps]) -> Activities:
    return await ctx.deps.queries.activities(ctx.tenant, q.year, q.month)


async def summary(q: SummaryQuery, ctx: Ctx[Deps]) -> ActivitiesSummary:
    return await ctx.deps.queries.summary(ctx.tenant, q.year)


async def execution_rate(q: ExecutionRateQuery, ctx: Ctx[Deps]) -> ExecutionRate:
    return await ctx.deps.queries.execution_rate(ctx.tenant, q.year)


async def attendance(q: AttendanceQuery, ctx: Ctx[Deps]) -> AttendanceReport:
    return await ctx.deps.queries.attendance(ctx.tenant, q.year, ctx.setup.desa)


async def rotation(q: RotationQuery, ctx: Ctx[Deps]) -> Rotation:
    return await ctx.deps.queries.rotation(ctx.tenant, ctx.setup.desa)
