"""Running the gateway in-process with uvicorn, beside the services of `smart up`."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

import nats
import uvicorn
from nats.aio.client import Client as NATS

from services.gateway.app import create_app
from shared.config import Settings


@dataclass
class Gateway:
    server: uvicorn.Server
    task: asyncio.Task[None]
    nc: NATS

    async def stop(self) -> None:
        self.server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(self.task, 10)
        await self.nc.drain()


async def start_gateway(settings: Settings, port: int, host: str = "127.0.0.1") -> Gateway:
    nc = await nats.connect(
        servers=settings.nats_servers(), name="smart-gateway", max_reconnect_attempts=-1
    )
    app = create_app(nc, settings.secret_key.get_secret_value(), replicas=settings.stream_replicas)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the gateway did not start")
        await asyncio.sleep(0.05)
    return Gateway(server, task, nc)
