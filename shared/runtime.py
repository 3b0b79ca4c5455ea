"""The composition of one service: connections, event store, read side and NATS edge."""

from __future__ import annotations

import asyncio
import contextlib
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

from shared.config import Settings
from shared.contracts.base import Command
from shared.db import create_pool
from shared.edge.facts import Facts
from shared.edge.kit import Api
from shared.infra.credentials import admin_settings, inbox_prefix, role_settings
from shared.infra.natsconn import connect_forever
from shared.keys import KeyStore, Sealer
from shared.log.aggregate import CommandRunner
from shared.log.eventstore import EventStore
from shared.log.kv import Bucket
from shared.log.signing import Signer
from shared.metrics import MeteredEventStore, Metrics
from shared.provision import Provisioner
from shared.readside.projection import Projection, ProjectorSettings
from shared.readside.service import ReadSide

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
    keys: KeyStore | None = None
    provisioner: Provisioner | None = None

    def command_runner(self, *, attempts: int = 6) -> CommandRunner:
        """Another runner over the same store and keys (a hot aggregate retries more)."""
        return CommandRunner(self.store, attempts=attempts, sealer=self.runner.sealer)

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
    key_schema: str | None = None
    """The schema of the service's data keys, when its events carry personal data."""
    buckets: Callable[[str], Sequence[Bucket]] = field(default=lambda _kab: ())
    """The buckets it keeps per kabupaten, made by the admin with the kabupaten's log."""

    def router(self, rt: Runtime) -> NatsRouter:
        return self.api.router(rt, self.deps(rt))


async def open_runtime(spec: ServiceSpec, settings: Settings) -> Runtime:
    """The service connected with its own role's credentials; where this process holds the
    admin's, the kabupaten it serves are provisioned first (`shared.provision`)."""
    admin = admin_settings(settings)
    provisioner = Provisioner(admin, spec.buckets) if admin else None
    settings = role_settings(settings, spec.name)
    servers = settings.nats_servers()
    if not servers or not settings.database_url:
        raise RuntimeError("SMART_NATS_URL and SMART_DATABASE_URL must be set to run a service")
    inbox = inbox_prefix(spec.name)
    nc = await connect_forever(servers, f"smart-{spec.name}", inbox_prefix=inbox)
    pool = await create_pool(settings.database_url, max_size=8)
    metrics = Metrics(spec.name)
    store = MeteredEventStore(
        nc,
        metrics,
        replicas=settings.stream_replicas,
        duplicate_window_s=settings.duplicate_window_s,
        signer=Signer.derive(settings.secret_key.get_secret_value(), spec.name),
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
    keys = key_store(spec.key_schema, settings, pool) if spec.key_schema else None
    runtime = Runtime(
        spec.name,
        spec.schema,
        settings,
        nc,
        pool,
        store,
        CommandRunner(store, sealer=Sealer(keys) if keys else None),
        readside,
        Facts(store, nc=nc),
        keys=keys,
        provisioner=provisioner,
    )
    runtime.metrics = metrics
    try:
        middlewares = [metrics.middleware()]
        if provisioner is not None:
            await provisioner.all_of(settings.served_kabupaten() or ())
            middlewares.append(provisioner.before(_commands(spec)))
        await readside.start()
        broker = NatsBroker(
            servers,
            name=f"smart-{spec.name}-edge",
            logger=None,
            middlewares=middlewares,
            max_reconnect_attempts=-1,
            inbox_prefix=inbox,
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


def _commands(spec: ServiceSpec) -> frozenset[str]:
    return frozenset(m.rpc for m in spec.api.handlers if issubclass(m, Command))


def key_store(schema: str, settings: Settings, pool: asyncpg.Pool | None) -> KeyStore:
    """A service's data keys; without a pool it only opens keys on a given connection."""
    return KeyStore(pool, schema, settings.secret_key.get_secret_value(), settings.keys_path())


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
        try:
            await runtime.broker.stop()
        except nats.errors.Error:  # NATS is gone: nothing to drain, the rest still stops
            await _close(runtime.broker.connection)
    await runtime.readside.stop()
    await runtime.facts.close()
    if runtime.provisioner is not None:
        await runtime.provisioner.close()
    await runtime.pool.close()
    try:
        await asyncio.wait_for(runtime.nc.drain(), DRAIN_TIMEOUT_S)
    except (TimeoutError, nats.errors.Error):
        await _close(runtime.nc)


async def _close(nc: NATS) -> None:
    """Close a connection whose server is gone (nats-py then raises the lost socket's error)."""
    with contextlib.suppress(OSError, nats.errors.Error):
        await nc.close()
