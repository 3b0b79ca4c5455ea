"""Test helpers shared by the suites: a tally aggregate and projection over real infra."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from nats.aio.client import Client as NATS

from shared.config import Settings
from shared.edge.rpc import RpcReply, RpcRequest, Scope, call
from shared.events.base import DomainEvent
from shared.log.aggregate import AggregateType, CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.log.reader import StoredEvent
from shared.runtime import Runtime, ServiceSpec, close_runtime, open_runtime
from shared.tenancy import AggregateRef, Tenant


class Tallied(DomainEvent):
    """Test contract: a counter moved by `n`. v1."""

    n: int


def _evolve(state: int, event: DomainEvent) -> int:
    return state + event.n if isinstance(event, Tallied) else state


TALLY = AggregateType[int]("tally", "counter", lambda: 0, _evolve)


def tally_ref(kab: str, counter: str = "a1") -> AggregateRef:
    return AggregateRef(Tenant(kab, f"{kab}01"), "tally", "counter", counter)


async def tally(
    nc: NATS, kab: str, values: list[int], counter: str = "a1", store: EventStore | None = None
) -> int:
    """Move a test counter of kecamatan `<kab>01` by each value, one command each (through
    `store`, e.g. one signing as "tally"; else unsigned); returns the log position reached."""
    runner, position = CommandRunner(store or EventStore(nc)), 0
    for n in values:
        cid = str(uuid.uuid4())
        meta = Metadata(command_id=cid, correlation_id=cid, actor="t")
        out = await runner.execute(
            TALLY, tally_ref(kab, counter), meta, lambda s, n=n: [Tallied(n=n)]
        )
        position = out.position
    return position


@dataclass
class TallyProjection:
    """Writes every event it sees to `applied`; refuses events whose n is in `poison`."""

    name: str = "tally"
    tables: Sequence[str] = ("applied",)
    poison: set[int] = field(default_factory=set)

    def filters(self, kab: str) -> list[str]:
        return [f"smart.{kab}.*.tally.>"]

    async def apply(self, conn: asyncpg.Connection, events: Sequence[StoredEvent]) -> None:
        rows = []
        for e in events:
            event = e.event
            assert isinstance(event, Tallied)
            if event.n in self.poison:
                raise ValueError(f"poison n={event.n}")
            rows.append((e.seq, e.envelope.aggregate_id, event.n))
        await conn.executemany("insert into applied(seq, aggregate_id, n) values ($1,$2,$3)", rows)


TALLY_SQL = (
    "create table applied (seq bigint not null, aggregate_id text not null, n int not null);"
)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def running(spec: ServiceSpec, settings: Settings) -> AsyncIterator[Runtime]:
    """A service started as `smart run` starts it, against the test infrastructure."""
    runtime = await open_runtime(spec, settings)
    try:
        yield runtime
    finally:
        await close_runtime(runtime)


async def rpc(
    nc: NATS,
    service: str,
    name: str,
    kab: str,
    kec: str,
    *,
    body: Any = None,
    params: dict[str, Any] | None = None,
    command_id: str | None = None,
    wait_for: int | None = None,
    scope: Scope | None = None,
) -> RpcReply:
    request = RpcRequest(
        kab=kab,
        kec=kec,
        body=body,
        params=params or {},
        wait_for=wait_for,
        actor="test",
        scope=scope,
        **({"command_id": command_id} if command_id else {}),
    )
    return await call(nc, service, name, request)


async def unready_tables(conn: asyncpg.Connection | asyncpg.Pool, schema: str) -> list[str]:  # type: ignore[type-arg]
    """The schema's tables a rebuild left without planner statistics (never analyzed:
    reltuples -1) or with its autovacuum still paused."""
    rows = await conn.fetch(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = $1 and c.relkind = 'r'"
        " and (c.reltuples < 0 or coalesce(c.reloptions::text, '') like '%autovacuum%')",
        schema,
    )
    return sorted(r["relname"] for r in rows)
