"""The composition of one service: connections, event store, read side and NATS edge."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import nats
import nats.errors
from faststream.nats import NatsBroker, NatsRouter
from nats.aio.client import Client as NATS

from shared.aggregate import CommandRunner
from shared.config import Settings
from shared.db import create_pool
from shared.eventstore import EventStore
from shared.facts import Facts
from shared.kit import Api
from shared.metrics import MeteredEventStore, Metrics
from shared.projection import Projection, ProjectorSettings
from shared.readside import ReadSide

log = logging.getLogger("smart.runtime")
DRAIN_TIMEOUT_S = 10.0


@dataclass
class Runtime:
    """What a service's handlers and queries use; built once, in the composition root."""

    name: str
    schema: str
    settings: Settings
    nc: NATS
    pool: asyncpg.Pool
    store: EventStore
    runner: CommandRunner
    readside: ReadSide
    facts: Facts
    broker: NatsBroker | None = None
    metrics: Metrics = field(default_factory=lambda: Metrics(""))

    async def wait_for(self, kab: str, position: int | None) -> None:
        """Read-your-writes: block (bounded) until the read side reached `position`."""
        await self.readside.wait_for(kab, position, self.settings.wait_for_timeout_s)

    async def catch_up(self, kab: str) -> None:
        """Reach the head of the kabupaten's log: before answering 'unknown' for something
        another service may have just created."""
        if await self.store.has_stream(kab):
            await self.wait_for(kab, await self.store.last_seq(kab))


@dataclass(frozen=True)
class ServiceSpec:
    """What a service declares to be run: its schema, projections, its table of handlers
    and how to build what they share (`deps`, from the runtime)."""

    name: str
    schema: str
    migrations: Path | None
    projections: Callable[[Settings], Sequence[Projection]]
    api: Api[Any]
    deps: Callable[[Runtime], object]

    def router(self, rt: Runtime) -> NatsRouter:
        return self.api.router(rt, self.deps(rt))


async def open_runtime(spec: ServiceSpec, settings: Settings) -> Runtime:
    servers = settings.nats_servers()
    if not servers or not settings.database_url:
        raise RuntimeError("SMART_NATS_URL and SMART_DATABASE_URL must be set to run a service")
    nc = await nats.connect(servers=servers, name=f"smart-{spec.name}", max_reconnect_attempts=-1)
    pool = await create_pool(settings.database_url, max_size=8)
    metrics = Metrics(spec.name)
    store = MeteredEventStore(
        nc,
        metrics,
        replicas=settings.stream_replicas,
        duplicate_window_s=settings.duplicate_window_s,
    )
    readside = ReadSide(
        service=spec.name,
        schema=spec.schema,
        migrations=spec.migrations,
        projections=spec.projections(settings),
        nc=nc,
        pool=pool,
        store=store,
        settings=ProjectorSettings(
            batch=settings.projector_batch, max_attempts=settings.projector_max_attempts
        ),
        kabupaten=settings.served_kabupaten(),
    )
    runtime = Runtime(
        spec.name,
        spec.schema,
        settings,
        nc,
        pool,
        store,
        CommandRunner(store),
        readside,
        Facts(store),
    )
    runtime.metrics = metrics
    try:
        await readside.start()
        broker = NatsBroker(
            servers,
            name=f"smart-{spec.name}-edge",
            logger=None,
            middlewares=[metrics.middleware()],
            max_reconnect_attempts=-1,
        )
        broker.include_router(spec.router(runtime))
        broker.include_router(_ops_router(runtime))
        runtime.broker = broker
        await broker.start()
        await broker.connection.flush()
    except BaseException:
        await close_runtime(runtime)
        raise
    log.info("service %s running", spec.name)
    return runtime


def health_subject(service: str) -> str:
    return f"smartops.{service}.health"


def _ops_router(runtime: Runtime) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(health_subject(runtime.name))
    async def health(body: dict[str, object]) -> dict[str, object]:
        """Is this replica's read side caught up: the events its projectors still have to do."""
        lag = await runtime.readside.lag()
        pending = sum(max(int(str(row["pending"])), 0) for row in lag)
        return {"service": runtime.name, "pending": pending, "projectors": len(lag)}

    return router


async def close_runtime(runtime: Runtime) -> None:
    if runtime.broker is not None:
        await runtime.broker.stop()
    await runtime.readside.stop()
    await runtime.pool.close()
    try:
        await asyncio.wait_for(runtime.nc.drain(), DRAIN_TIMEOUT_S)
    except (TimeoutError, nats.errors.Error):
        await runtime.nc.close()
