"""Read models of the scheduler, fed from the log a batch at a time: fold, then write once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.scheduler.state import Activity, ActivityChange, changed, planned
from shared.db import DbConn, insert_rows, upsert_rows
from shared.events.base import DomainEvent
from shared.events.scheduler import (
    KECAMATAN_AGGREGATE,
    ROTA_AGGREGATE,
    SERVICE,
    ActivityHeld,
    ActivityRescheduled,
    ActivityScheduled,
    KecamatanConfigured,
)
from shared.log.reader import StoredEvent
from shared.readside.projection import Projection
from shared.readside.tally import Tally, apply_tallies
from shared.tenancy import service_filter

Key = tuple[Any, ...]


def _facts(events: Sequence[StoredEvent]) -> list[tuple[str, str, DomainEvent]]:
    return [(e.head.kabupaten, e.head.kecamatan, e.event) for e in events]


@dataclass
class KecamatanProjection:
    """`kecamatan`: each kecamatan's latest set-up."""

    name: str = "kecamatan"
    tables: Sequence[str] = ("kecamatan",)

    def filters(self, kab: str) -> list[str]:
        return [service_filter(kab, SERVICE, KECAMATAN_AGGREGATE)]

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        latest = {
            (kab, kec): e for kab, kec, e in _facts(events) if isinstance(e, KecamatanConfigured)
        }
        await conn.executemany(
            "insert into kecamatan (kab, kec, code, name, desa, units, fifth_friday, days_off)"
            " values ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8::jsonb)"
            " on conflict (kab, kec) do update set code = excluded.code, name = excluded.name,"
            " desa = excluded.desa, units = excluded.units,"
            " fifth_friday = excluded.fifth_friday, days_off = excluded.days_off",
            [
                (
                    kab,
                    kec,
                    e.kecamatan,
                    e.name,
                    json.dumps([d.model_dump() for d in e.desa]),
                    json.dumps(e.units),
                    e.fifth_friday,
                    json.dumps([d.model_dump(mode="json") for d in e.days_off]),
                )
                for (kab, kec), e in latest.items()
            ],
        )


CALENDAR_COLUMNS = (
    *("kab", "kec", "activity_id", "year", "month", "kind", "planned_for", "date"),
    *("host_desa", "status", "note", "held_on", "officials", "residents"),
)


NOT_HELD = {"held_on": None, "officials": None, "residents": None}


@dataclass
class CalendarProjection:
    """`calendar`: every activity of the rota as it stands, with what was recorded of it."""

    name: str = "calendar"
    tables: Sequence[str] = ("calendar",)

    def filters(self, kab: str) -> list[str]:
        return [service_filter(kab, SERVICE, ROTA_AGGREGATE)]

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        facts = _facts(events)
        stored = await self._stored(conn, facts)
        rows = dict(stored)
        for kab, kec, event in facts:
            if isinstance(event, ActivityScheduled):
                rows[(kab, kec, event.activity_id)] = {**_row(kab, kec, planned(event)), **NOT_HELD}
            elif isinstance(event, ActivityChange):
                row = rows[(kab, kec, event.activity_id)]
                row.update(_row(kab, kec, changed(_activity(row), event)))
                if isinstance(event, ActivityHeld):
                    row.update(
                        held_on=event.held_on, officials=event.officials, residents=event.residents
                    )
        updates = ", ".join(f"{c} = excluded.{c}" for c in CALENDAR_COLUMNS[3:])
        upsert = f"on conflict (kab, kec, activity_id) do update set {updates}"
        values = {key: tuple(row[c] for c in CALENDAR_COLUMNS) for key, row in rows.items()}
        again = [row for key, row in values.items() if key in stored]
        await upsert_rows(conn, "calendar", CALENDAR_COLUMNS, again, upsert)
        new = [row for key, row in values.items() if key not in stored]
        await insert_rows(conn, "calendar", CALENDAR_COLUMNS, new, upsert)

    @staticmethod
    async def _stored(
        conn: DbConn, facts: list[tuple[str, str, DomainEvent]]
    ) -> dict[Key, dict[str, Any]]:
        """The changed activities' rows, found through the primary key (activity ids are
        unique per kecamatan), so a page costs the same however long the calendar is."""
        keys = {(kab, kec, e.activity_id) for kab, kec, e in facts if isinstance(e, ActivityChange)}
        found = await conn.fetch(
            "select * from calendar where kab = any($1::text[]) and kec = any($2::text[])"
            " and activity_id = any($3::text[])",
            sorted({k[0] for k in keys}),
            sorted({k[1] for k in keys}),
            sorted({k[2] for k in keys}),
        )
        return {(r["kab"], r["kec"], r["activity_id"]): dict(r) for r in found}


def _row(kab: str, kec: str, activity: Activity) -> dict[str, Any]:
    return {
        "kab": kab,
        "kec": kec,
        "activity_id": activity.id,
        "year": activity.year,
        "month": activity.month,
        "kind": activity.kind.value,
        "planned_for": activity.planned_for,
        "date": activity.date,
        "host_desa": activity.host_desa,
        "status": activity.status.value,
        "note": activity.note,
        "held_on": None,
        "officials": None,
        "residents": None,
    }


def _activity(row: dict[str, Any]) -> Activity:
    return Activity(
        id=row["activity_id"],
        **{
            k: row[k]
            for k in ("kind", "year", "month", "planned_for", "date", "host_desa", "status", "note")
        },
    )


EXECUTION = Tally(
    "execution_rate",
    ("kab", "kec", "year", "month", "kind"),
    {"scheduled": "sum", "held": "sum"},
)


@dataclass
class ExecutionRateProjection:
    """`execution_rate`: activities scheduled (not skipped) and held, per kind and month of
    their date."""

    name: str = "execution_rate"
    tables: Sequence[str] = ("execution_rate",)

    def filters(self, kab: str) -> list[str]:
        return [service_filter(kab, SERVICE, ROTA_AGGREGATE)]

    def tallies(self) -> list[Tally]:
        return [EXECUTION.empty()]

    def fold(self, tallies: list[Tally], events: Sequence[StoredEvent]) -> None:
        (rate,) = tallies
        for kab, kec, e in _facts(events):
            if isinstance(e, ActivityScheduled) and not e.skipped:
                rate.add((kab, kec, e.date.year, e.date.month, e.kind.value), 1, 0)
            elif isinstance(e, ActivityHeld):
                rate.add((kab, kec, e.date.year, e.date.month, e.kind.value), 0, 1)
            elif isinstance(e, ActivityRescheduled):
                rate.add((kab, kec, e.from_date.year, e.from_date.month, e.kind.value), -1, 0)
                rate.add((kab, kec, e.date.year, e.date.month, e.kind.value), 1, 0)

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        await apply_tallies(self, conn, events)


ATTENDANCE = Tally(
    "attendance",
    ("kab", "kec", "year", "desa", "kind"),
    {"held": "sum", "officials": "sum", "residents": "sum"},
)


@dataclass
class AttendanceProjection:
    """`attendance`: activities held and their attendance, per host desa, kind and year."""

    name: str = "attendance"
    tables: Sequence[str] = ("attendance",)

    def filters(self, kab: str) -> list[str]:
        return [service_filter(kab, SERVICE, ROTA_AGGREGATE)]

    def tallies(self) -> list[Tally]:
        return [ATTENDANCE.empty()]

    def fold(self, tallies: list[Tally], events: Sequence[StoredEvent]) -> None:
        (attendance,) = tallies
        for kab, kec, e in _facts(events):
            if isinstance(e, ActivityHeld) and e.host_desa is not None:
                key = (kab, kec, e.date.year, e.host_desa, e.kind.value)
                attendance.add(key, 1, e.officials, e.residents)

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        await apply_tallies(self, conn, events)


ROTATION = Tally(
    "rotation",
    ("kab", "kec", "rotation", "desa"),
    {"turns": "sum", "last_round": "max", "last_planned_for": "max"},
)


@dataclass
class RotationProjection:
    """`rotation`: each desa's turns per rotation, the last round and day it hosted."""

    name: str = "rotation"
    tables: Sequence[str] = ("rotation",)

    def filters(self, kab: str) -> list[str]:
        return [service_filter(kab, SERVICE, ROTA_AGGREGATE)]

    def tallies(self) -> list[Tally]:
        return [ROTATION.empty()]

    def fold(self, tallies: list[Tally], events: Sequence[StoredEvent]) -> None:
        (rotation,) = tallies
        for kab, kec, e in _facts(events):
            if isinstance(e, ActivityScheduled) and e.host_desa is not None:
                key = (kab, kec, e.rotation, e.host_desa)
                rotation.add(key, 1, e.rotation_round, e.planned_for)

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        await apply_tallies(self, conn, events)


def projections() -> list[Projection]:
    return [
        KecamatanProjection(),
        CalendarProjection(),
        ExecutionRateProjection(),
        AttendanceProjection(),
        RotationProjection(),
    ]
