"""Read-side answers from the `distribution` schema; never the log, never a clear number."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

import asyncpg

from services.distribution.domain import aid_on, is_priority
from shared.errors import NotFound
from shared.events.distribution import Aid
from shared.runtime import Runtime
from shared.tenancy import Tenant

Timeline = list[tuple[date, tuple[Aid, ...]]]


def month_bounds(month: str) -> tuple[date, date]:
    year, number = int(month[:4]), int(month[5:7])
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def clamp(day: date, first: date, last: date) -> date:
    """The date eligibility is judged on for a period: today, kept inside the period."""
    return min(max(day, first), last)


async def fetch_known(
    rt: Runtime, tenant: Tenant, what: str, ident: str, sql: str, *args: Any
) -> asyncpg.Record:
    """One row the caller names; look again after catching up before answering 404."""
    row = await rt.pool.fetchrow(sql, *args)
    if row is None:
        await rt.catch_up(tenant.kab)
        row = await rt.pool.fetchrow(sql, *args)
    if row is None:
        raise NotFound(what, ident)
    return row


async def ensure_kecamatan(rt: Runtime, tenant: Tenant) -> None:
    await fetch_known(
        rt,
        tenant,
        "kecamatan",
        tenant.kec_dotted,
        f"select 1 from {rt.schema}.kecamatan where kab = $1 and kec = $2",
        tenant.kab,
        tenant.kec,
    )


async def timelines(rt: Runtime, ids: Sequence[str]) -> dict[str, Timeline]:
    rows = await rt.pool.fetch(
        f"select household_id, as_of, aid from {rt.schema}.aid_changes"
        " where household_id = any($1::text[]) order by household_id, as_of",
        list(ids),
    )
    found: dict[str, Timeline] = defaultdict(list)
    for r in rows:
        found[r["household_id"]].append((r["as_of"], tuple(Aid(a) for a in r["aid"])))
    return found


def eligible(row: asyncpg.Record, changes: Timeline, day: date, excluding: Collection[Aid]) -> bool:
    held = aid_on([Aid(a) for a in row["aid"]], changes, day)
    return not row["forgotten"] and is_priority(held, excluding)


def masked_answer(
    row: asyncpg.Record, changes: Timeline, today: date, excluding: Collection[Aid]
) -> dict[str, Any]:
    if row["forgotten"]:
        return {
            "household_id": row["household_id"],
            "name_masked": None,
            "nik_masked": None,
            "desa": None,
            "desil": None,
            "aid": [],
            "eligible": False,
            "forgotten": True,
        }
    held = aid_on([Aid(a) for a in row["aid"]], changes, today)
    return {
        "household_id": row["household_id"],
        "name_masked": row["name_masked"],
        "nik_masked": row["nik_masked"],
        "desa": row["desa"],
        "desil": row["desil"],
        "aid": [a.value for a in held],
        "eligible": eligible(row, changes, today, excluding),
        "forgotten": False,
    }


async def household(
    rt: Runtime, tenant: Tenant, household_id: str, today: date, excluding: Collection[Aid]
) -> dict[str, Any]:
    row = await fetch_known(
        rt,
        tenant,
        "household",
        household_id,
        f"select * from {rt.schema}.households where household_id = $1 and kab = $2 and kec = $3",
        household_id,
        tenant.kab,
        tenant.kec,
    )
    changes = await timelines(rt, [household_id])
    return masked_answer(row, changes[household_id], today, excluding)


async def households(
    rt: Runtime, tenant: Tenant, desa: str | None, today: date, excluding: Collection[Aid]
) -> dict[str, Any]:
    rows = await rt.pool.fetch(
        f"select * from {rt.schema}.households where kab = $1 and kec = $2"
        " and ($3::text is null or desa = $3) order by desa, household_id",
        tenant.kab,
        tenant.kec,
        desa,
    )
    changes = await timelines(rt, [r["household_id"] for r in rows])
    return {
        "households": [masked_answer(r, changes[r["household_id"]], today, excluding) for r in rows]
    }


def _priority(row: asyncpg.Record) -> tuple[bool, int, date, str]:
    """Never received first, then lower desil, then the longest since the last package."""
    last = row["last_received"]
    return (last is not None, row["desil"], last or date.min, row["household_id"])


def _suggestion(row: asyncpg.Record) -> dict[str, Any]:
    last = row["last_received"]
    return {
        "household_id": row["household_id"],
        "name_masked": row["name_masked"],
        "nik_masked": row["nik_masked"],
        "desil": row["desil"],
        "last_received": last.isoformat() if last else None,
    }


async def suggestions(
    rt: Runtime, tenant: Tenant, round_id: str, today: date, excluding: Collection[Aid]
) -> dict[str, Any]:
    """The round's desa's eligible households not served that month, in priority order,
    not cut to the quota. Eligibility is judged on today, kept inside the round's month."""
    sql = (
        f"select desa, month from {rt.schema}.rounds where round_id = $1 and kab = $2 and kec = $3"
    )
    found = await fetch_known(rt, tenant, "round", round_id, sql, round_id, tenant.kab, tenant.kec)
    first, last = month_bounds(found["month"])
    rows = await rt.pool.fetch(
        f"select h.*, (select max(p.distributed_on) from {rt.schema}.packages p"
        "   where p.household_id = h.household_id and p.distributed_on < $5) as last_received"
        f" from {rt.schema}.households h where h.kab = $1 and h.kec = $2 and h.desa = $3"
        " and not h.forgotten and not exists (select 1 from"
        f" {rt.schema}.packages p where p.household_id = h.household_id and p.month = $4)",
        *(tenant.kab, tenant.kec, found["desa"], found["month"], first),
    )
    changes = await timelines(rt, [r["household_id"] for r in rows])
    day = clamp(today, first, last)
    chosen = [r for r in rows if eligible(r, changes[r["household_id"]], day, excluding)]
    return {"suggestions": [_suggestion(r) for r in sorted(chosen, key=_priority)]}
