"""A minimal aggregate and projection for the benchmarks, folded in memory per batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
from nats.aio.client import Client as NATS

from shared.db import DbConn
from shared.events.base import DomainEvent
from shared.log.eventstore import EventStore
from shared.log.reader import StoredEvent
from shared.readside.service import ReadSide

TALLY_SQL = (
    "create table totals (aggregate_id text primary key, n bigint not null, events int not null)"
)


class Counted(DomainEvent):
    """Benchmark contract: a counter moved by `n`. v1."""

    n: int


@dataclass
class BenchTally:
    name: str = "totals"
    tables: Sequence[str] = ("totals",)

    def filters(self, kab: str) -> list[str]:
        return [f"smart.{kab}.*.bench.>"]

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        folded: dict[str, tuple[int, int]] = {}
        for e in events:
            event = e.event
            assert isinstance(event, Counted)
            n, count = folded.get(e.envelope.aggregate_id, (0, 0))
            folded[e.envelope.aggregate_id] = (n + event.n, count + 1)
        await conn.executemany(
            "insert into totals(aggregate_id, n, events) values ($1, $2, $3)"
            " on conflict (aggregate_id) do update set n = totals.n + excluded.n,"
            " events = totals.events + excluded.events",
            [(k, n, c) for k, (n, c) in folded.items()],
        )


def bench_readside(nc: NATS, pool: asyncpg.Pool, kab: str) -> ReadSide:
    import tempfile  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    migrations = Path(tempfile.mkdtemp(prefix="bench-mig-"))
    (migrations / "001_totals.sql").write_text(TALLY_SQL)
    return ReadSide(
        service="bench",
        schema="bench",
        migrations=migrations,
        projections=[BenchTally()],
        nc=nc,
        pool=pool,
        store=EventStore(nc),
        kabupaten=[kab],
    )
