"""Read models of the integrity service: one row per finding, one row per Serasa Desa visit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from services.integrity.domain import Status
from shared.db import DbConn, update_rows, upsert_rows
from shared.events.integrity import (
    FINDING_AGGREGATE,
    SERVICE,
    FindingDismissed,
    FindingFollowedUp,
    FindingRecorded,
    FindingResolved,
)
from shared.events.scheduler import ROTA_AGGREGATE, ActivityHeld, ActivityKind
from shared.events.scheduler import SERVICE as SCHEDULER
from shared.log.reader import StoredEvent
from shared.tenancy import service_filter

_FINDING_COLUMNS = (
    *("kab", "kec", "finding_id", "unit", "unit_name", "desa", "official_id", "subject_type"),
    *("category", "severity", "source", "found_on", "visit_id", "status", "last_seq"),
)
_CHANGE_FINDING = (
    "status = v.status, follow_ups = findings.follow_ups + v.follow_ups,"
    " closed_on = coalesce(v.closed_on, findings.closed_on), last_seq = v.last_seq"
)
_VISIT_COLUMNS = ("kab", "kec", "visit_id", "host_desa", "planned_on", "held_on", "last_seq")
_REPLACE_VISIT = """
on conflict (kab, kec, visit_id) do update set host_desa = excluded.host_desa,
    planned_on = excluded.planned_on, held_on = excluded.held_on, last_seq = excluded.last_seq
"""


def _change(event: object) -> tuple[Status, int, date | None] | None:
    match event:
        case FindingFollowedUp():
            return Status.FOLLOWED_UP, 1, None
        case FindingResolved():
            return Status.RESOLVED, 0, event.resolved_on
        case FindingDismissed():
            return Status.DISMISSED, 0, event.dismissed_on
    return None


def _described(event: FindingRecorded) -> tuple[Any, ...]:
    return (
        event.unit,
        event.unit_name,
        event.desa,
        event.official_id,
        event.subject_type.value,
        event.category.value,
        event.severity.value,
        event.source.value,
        event.found_on,
        event.visit_id,
        Status.RECORDED.value,
    )


class FindingsProjection:
    """`findings`: every finding with its unit, classification, status and closing date."""

    name = "findings"
    tables: Sequence[str] = ("findings",)

    def filters(self, kab: str) -> list[str]:
        return [service_filter(kab, SERVICE, FINDING_AGGREGATE)]

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        inserts: list[tuple[Any, ...]] = []
        changes: dict[tuple[str, str, str], list[Any]] = {}
        for stored in events:
            env, event = stored.head, stored.event
            where = (env.kabupaten, env.kecamatan, env.aggregate_id)
            if isinstance(event, FindingRecorded):
                inserts.append((*where, *_described(event), stored.seq))
            elif (change := _change(event)) is not None:
                status, follow_ups, closed_on = change
                # A batch's changes to one finding, as applying them one after the other
                # would leave it: the last status, follow-ups added, the last closing date.
                before = changes.get(where, [None, 0, None, 0])
                changes[where] = [
                    status.value,
                    before[1] + follow_ups,
                    closed_on or before[2],
                    stored.seq,
                ]
        await upsert_rows(
            conn,
            "findings",
            _FINDING_COLUMNS,
            inserts,
            "on conflict (kab, kec, finding_id) do nothing",
        )
        await update_rows(
            conn,
            "findings",
            ("kab", "kec", "finding_id"),
            ("status", "follow_ups", "closed_on", "last_seq"),
            [(*key, *values) for key, values in changes.items()],
            _CHANGE_FINDING,
        )


def read_models() -> list[FindingsProjection | VisitsProjection]:
    return [FindingsProjection(), VisitsProjection()]


class VisitsProjection:
    """`visits`: Serasa Desa visits that were held, from the scheduler's `ActivityHeld`."""

    name = "visits"
    tables: Sequence[str] = ("visits",)

    def filters(self, kab: str) -> list[str]:
        return [service_filter(kab, SCHEDULER, ROTA_AGGREGATE)]

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        rows: list[tuple[Any, ...]] = []
        for stored in events:
            if stored.head.type != ActivityHeld.type_name():
                continue
            event = stored.event
            if isinstance(event, ActivityHeld) and event.kind is ActivityKind.SERASA_DESA:
                env = stored.head
                rows.append(
                    (
                        env.kabupaten,
                        env.kecamatan,
                        event.activity_id,
                        event.host_desa,
                        event.date,
                        event.held_on,
                        stored.seq,
                    )
                )
        await upsert_rows(conn, "visits", _VISIT_COLUMNS, rows, _REPLACE_VISIT)
