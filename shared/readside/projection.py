"""Read models fed from the log: what a projection declares, its settings, its bookkeeping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from shared.db import DbConn, ident
from shared.log.reader import StoredEvent


class Projection(Protocol):
    """One read model: which subjects feed it and how a batch of events changes it.

    `apply` runs inside the projector's transaction with `search_path` set to the target
    schema, so it uses unqualified table names; it must not commit or catch errors."""

    name: str
    tables: Sequence[str]

    def filters(self, kab: str) -> list[str]: ...

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None: ...


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS wildcard matching: `*` one token, `>` the rest."""
    ptoks, stoks = pattern.split("."), subject.split(".")
    for i, tok in enumerate(ptoks):
        if tok == ">":
            return len(stoks) > i
        if i >= len(stoks) or (tok != "*" and tok != stoks[i]):
            return False
    return len(ptoks) == len(stoks)


def relevant(projection: Projection, kab: str, events: Sequence[StoredEvent]) -> list[StoredEvent]:
    filters = projection.filters(kab)
    return [e for e in events if any(subject_matches(f, e.subject) for f in filters)]


@dataclass(frozen=True)
class ProjectorSettings:
    """How projectors read (`batch`, timeouts) and how often a failing event is tried
    before it is dead-lettered (`max_attempts`, waiting `retry_delay_s` times the attempt)."""

    batch: int = 500
    max_attempts: int = 5
    retry_delay_s: float = 0.2
    fetch_timeout_s: float = 1.0
    standby_poll_s: float = 2.0


class Checkpoints:
    """The read side's bookkeeping in one schema, as read: checkpoints and dead letters."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.schema = ident(schema)

    async def position(self, projection: str, stream: str) -> int:
        value = await self.pool.fetchval(
            f"select position from {self.schema}.checkpoints where projection=$1 and stream=$2",
            projection,
            stream,
        )
        return int(value or 0)

    async def dead_letters(self, *, open_only: bool = True) -> list[asyncpg.Record]:
        where = "where resolved_at is null" if open_only else ""
        return list(
            await self.pool.fetch(f"select * from {self.schema}.dead_letters {where} order by id")
        )
