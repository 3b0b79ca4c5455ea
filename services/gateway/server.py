"""Running the gateway in-process with uvicorn, beside the services of `smart up`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any

import nats
import nats.errors
import uvicorn
from nats.aio.client import Client as NATS
from nats.js.client import JetStreamContext

from services.gateway.app import create_app
from services.gateway.idempotency import IdempotencyStore
from services.gateway.limits import BodyLimits
from services.gateway.users import UserStore
from services.gateway.web.site import provision_web
from shared.config import Settings
from shared.infra.credentials import admin_settings, inbox_prefix, role_settings
from shared.infra.natsconn import connect_forever
from shared.infra.permissions import GATEWAY


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the process that runs it owns the signals
    and stops it (in `smart up`, in order with everything else)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


async def _serve(server: uvicorn.Server) -> None:
    try:
        await server.serve()
    except SystemExit as exc:  # uvicorn's answer to a port it cannot bind
        raise RuntimeError(f"the gateway stopped (exit code {exc.code})") from None


@dataclass
class Gateway:
    server: uvicorn.Server
    task: asyncio.Task[None]
    nc: NATS

    async def stop(self) -> None:
        self.server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(self.task, 10)
        try:
            await asyncio.wait_for(self.nc.drain(), 5)
        except (TimeoutError, nats.errors.Error):
            with contextlib.suppress(OSError, nats.errors.Error):
                await self.nc.close()


async def _provision(settings: Settings) -> None:
    """The gateway's buckets, created by the admin where this process holds its credential
    (the gateway's own may not create streams; a deployment's `smart provision` does)."""
    admin = admin_settings(settings)
    if admin is None:
        return
    nc = await nats.connect(servers=admin.nats_servers(), name="smart-provision")
    try:
        await provision_gateway(nc.jetstream(), settings.stream_replicas)
    finally:
        await nc.close()


async def provision_gateway(js: JetStreamContext, replicas: int) -> None:
    """Create the gateway's buckets that are missing, on the admin's connection."""
    await IdempotencyStore(js, replicas).provision()
    await UserStore(js, replicas).provision()
    await provision_web(js, replicas)


async def start_gateway(
    settings: Settings,
    port: int,
    host: str = "127.0.0.1",
    supervision: Callable[[], Mapping[str, Mapping[str, Any]]] | None = None,
) -> Gateway:
    await _provision(settings)
    settings = role_settings(settings, GATEWAY)
    nc = await connect_forever(
        settings.nats_servers(), "smart-gateway", inbox_prefix=inbox_prefix(GATEWAY)
    )
    app = create_app(
        nc,
        settings.secret_key.get_secret_value(),
        replicas=settings.stream_replicas,
        supervision=supervision,
        limits=BodyLimits.of(settings),
    )
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    server = _Server(config)
    task = asyncio.create_task(_serve(server))
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the gateway did not start")
        await asyncio.sleep(0.05)
    return Gateway(server, task, nc)
