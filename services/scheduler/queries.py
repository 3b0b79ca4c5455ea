"""Queries on the scheduler's read models; a kecamatan never configured answers 404."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from pydantic import BaseModel, ConfigDict, Field

from services.scheduler.rota import KIND_ORDER
from services.scheduler.state import Setup, Turns
from shared.errors import NotFound
from shared.events.scheduler import ActivityKind
from shared.rpc import RpcReply, RpcRequest
from shared.runtime import Runtime


class YearParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    year: int = Field(ge=2000, le=2100)


class MonthParams(YearParams):
    month: int = Field(ge=1, le=12)


async def _setup(rt: Runtime, req: RpcRequest) -> Setup:
    """The kecamatan's set-up as projected; caught up to the log before answering 404."""
    tenant = req.tenant
    sql = f"select * from {rt.schema}.kecamatan where kab = $1 and kec = $2"
    row = await rt.pool.fetchrow(sql, tenant.kab, tenant.kec)
    if row is None:
        await rt.catch_up(tenant.kab)
        row = await rt.pool.fetchrow(sql, tenant.kab, tenant.kec)
    if row is None:
        raise NotFound("Kecamatan", tenant.kec_dotted)
    return Setup(
        code=row["code"],
        name=row["name"],
        desa=json.loads(row["desa"]),
        units=json.loads(row["units"]),
        fifth_friday=row["fifth_friday"],
        days_off=json.loads(row["days_off"]),
    )


async def _rows(rt: Runtime, req: RpcRequest, table: str, where: str, *args: Any) -> list[Any]:
    sql = f"select * from {rt.schema}.{table} where kab = $1 and kec = $2 and {where}"
    return list(await rt.pool.fetch(sql, req.tenant.kab, req.tenant.kec, *args))


async def kecamatan(rt: Runtime, req: RpcRequest) -> RpcReply:
    return RpcReply(data=(await _setup(rt, req)).answer())


async def activities(rt: Runtime, req: RpcRequest) -> RpcReply:
    """The activities of a scheduled month (by the month of their rota day), in date order."""
    params = MonthParams.model_validate(req.params)
    await _setup(rt, req)
    rows = await _rows(rt, req, "calendar", "year = $3 and month = $4", params.year, params.month)
    rows.sort(key=lambda r: (r["date"], KIND_ORDER[ActivityKind(r["kind"])]))
    return RpcReply(data={"activities": [_activity(r) for r in rows]})


def _activity(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": row["activity_id"],
        "date": row["date"].isoformat(),
        "kind": row["kind"],
        "host_desa": row["host_desa"],
        "status": row["status"],
        "note": row["note"],
    }


async def summary(rt: Runtime, req: RpcRequest) -> RpcReply:
    """The year's activities scheduled (not skipped) and held per kind, by activity date."""
    params = YearParams.model_validate(req.params)
    await _setup(rt, req)
    rows = await _rows(rt, req, "execution_rate", "year = $3", params.year)
    scheduled = dict.fromkeys((k.value for k in ActivityKind), 0)
    held = dict(scheduled)
    for row in rows:
        scheduled[row["kind"]] += row["scheduled"]
        held[row["kind"]] += row["held"]
    return RpcReply(data={"activities": {"scheduled": scheduled, "held": held}})


def _rate(scheduled: int, held: int) -> dict[str, Any]:
    rate = round(held / scheduled, 4) if scheduled else None
    return {"scheduled": scheduled, "held": held, "rate": rate}


async def execution_rate(rt: Runtime, req: RpcRequest) -> RpcReply:
    """Held / scheduled per kind and month of the activity date, and per kind for the year."""
    params = YearParams.model_validate(req.params)
    await _setup(rt, req)
    found = await _rows(rt, req, "execution_rate", "year = $3", params.year)
    found = [r for r in found if r["scheduled"] or r["held"]]
    found.sort(key=lambda r: (r["month"], KIND_ORDER[ActivityKind(r["kind"])]))
    totals = {k.value: [0, 0] for k in ActivityKind}
    for r in found:
        totals[r["kind"]][0] += r["scheduled"]
        totals[r["kind"]][1] += r["held"]
    rows = [
        {"month": r["month"], "kind": r["kind"], **_rate(r["scheduled"], r["held"])} for r in found
    ]
    return RpcReply(
        data={
            "year": params.year,
            "rows": rows,
            "totals": {kind: _rate(s, h) for kind, (s, h) in totals.items()},
        }
    )


async def attendance(rt: Runtime, req: RpcRequest) -> RpcReply:
    """Activities held and their attendance per host desa and kind, by activity date."""
    params = YearParams.model_validate(req.params)
    setup = await _setup(rt, req)
    names = {d.code: d.name for d in setup.desa}
    order = {code: i for i, code in enumerate(names)}
    found = await _rows(rt, req, "attendance", "year = $3", params.year)
    found.sort(
        key=lambda r: (
            order.get(r["desa"], len(order)),
            r["desa"],
            KIND_ORDER[ActivityKind(r["kind"])],
        )
    )
    rows = [
        {
            "desa": r["desa"],
            "name": names.get(r["desa"]),
            "kind": r["kind"],
            "held": r["held"],
            "officials": r["officials"],
            "residents": r["residents"],
        }
        for r in found
    ]
    return RpcReply(data={"year": params.year, "rows": rows})


async def rotation(rt: Runtime, req: RpcRequest) -> RpcReply:
    """Each kind's rotation: its round, the desa served in it, turns so far and who is next."""
    setup = await _setup(rt, req)
    codes = [d.code for d in setup.desa]
    found = await _rows(rt, req, "rotation", "true")
    kinds = []
    for kind in ActivityKind:
        mine = {r["desa"]: r for r in found if r["kind"] == kind.value}
        round_ = max((r["last_round"] for r in mine.values()), default=0)
        served = frozenset(d for d, r in mine.items() if r["last_round"] == round_ and round_)
        next_desa, _ = Turns(round=round_, served=served).next_host(codes)
        desa = [
            {
                "code": d.code,
                "name": d.name,
                "turns": mine[d.code]["turns"] if d.code in mine else 0,
                "served_this_round": d.code in served,
            }
            for d in setup.desa
        ]
        kinds.append({"kind": kind.value, "round": round_, "next_desa": next_desa, "desa": desa})
    return RpcReply(data={"rotation": kinds})
