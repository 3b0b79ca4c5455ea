"""Reactions to other services' events: a held charity Friday makes its desa's round due."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.distribution.domain import month_of
from shared.db import DbConn, upsert_rows
from shared.events.scheduler import ActivityHeld, ActivityKind
from shared.log.reader import StoredEvent


def when_activity_held_mark_round_due(held: ActivityHeld) -> tuple[str, str] | None:
    """A held SHOLAWATAN_BERBAGI (the charity Friday) makes the round of its host desa and
    month due; `rounds_due` shows it until that round is opened."""
    if held.kind is not ActivityKind.SHOLAWATAN_BERBAGI or held.host_desa is None:
        return None
    return held.host_desa, month_of(held.date)


@dataclass
class RoundsDuePolicy:
    """`rounds_due`: (desa, month) of every held charity Friday, with the first such activity."""

    name: str = "rounds_due"
    tables: Sequence[str] = ("rounds_due",)

    def filters(self, kab: str) -> list[str]:
        return [f"smart.{kab}.*.scheduler.>"]

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        rows = []
        for stored in events:
            if stored.head.type != ActivityHeld.type_name():
                continue
            held = stored.event
            assert isinstance(held, ActivityHeld)
            due = when_activity_held_mark_round_due(held)
            if due is not None:
                env = stored.head
                rows.append((env.kabupaten, env.kecamatan, *due, held.activity_id, held.held_on))
        await upsert_rows(
            conn,
            "rounds_due",
            ("kab", "kec", "desa", "month", "activity_id", "held_on"),
            rows,
            "on conflict (kab, kec, desa, month) do nothing",
        )
