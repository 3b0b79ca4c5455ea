"""What `smart up` supervises: its servers, each service, the audit signer, the gateway."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import nats.errors

from shared.config import Settings
from shared.infra.embedded import InfrastructureError
from shared.infra.supervisor import Component
from shared.runtime import Runtime, ServiceSpec, close_runtime, open_runtime

WATCH_INTERVAL_S = 0.25
CLOSE_TIMEOUT_S = 8.0


class Server(Protocol):
    """An embedded server (`EmbeddedNats`, `EmbeddedPostgres`)."""

    @property
    def proc(self) -> subprocess.Popen[bytes] | None: ...

    @property
    def running(self) -> bool: ...

    def spawn(self) -> None: ...

    def wait_ready(self, timeout: float = ...) -> None: ...

    def stop(self) -> None: ...


class ServerProcess(Component):
    """A server process of the data directory, started again on its own port when it dies.
    It is spawned from the event loop's thread, the main one, so that it dies with it."""

    def __init__(self, name: str, server: Server) -> None:
        self.name = name
        self.server = server

    async def start(self) -> None:
        if self.server.running:
            return
        self.server.spawn()
        await asyncio.to_thread(self.server.wait_ready)

    async def watch(self) -> None:
        while self.server.running:  # noqa: ASYNC110 - a child process sets no event
            await asyncio.sleep(WATCH_INTERVAL_S)
        proc = self.server.proc
        code = proc.returncode if proc is not None else None
        raise InfrastructureError(f"{self.name} exited with code {code}")

    async def stop(self) -> None:
        await asyncio.to_thread(self.server.stop)

    def healthy(self) -> bool:
        return self.server.running


class Service(Component):
    """One service's runtime, opened again when one of its tasks died, its NATS
    connection was given up, or a server it `depends_on` was restarted (its consumers start
    again from their checkpoints: an ack lost with the server leaves none pending);
    meanwhile `live` lists the runtimes that are open."""

    def __init__(
        self,
        spec: ServiceSpec,
        settings: Settings,
        live: list[Runtime],
        depends_on: tuple[str, ...] = (),
    ) -> None:
        self.name = spec.name
        self.depends_on = depends_on
        self.spec, self.settings, self.live = spec, settings, live
        self.runtime: Runtime | None = None

    async def start(self) -> None:
        self.runtime = await open_runtime(self.spec, self.settings)
        self.live.append(self.runtime)

    async def watch(self) -> None:
        while self.runtime is not None:
            await asyncio.sleep(WATCH_INTERVAL_S)
            if self.runtime.nc.is_closed:
                raise RuntimeError("its NATS connection was closed")
            if failure := self.runtime.readside.failure():
                raise RuntimeError(failure)

    async def stop(self) -> None:
        runtime, self.runtime = self.runtime, None
        if runtime is None:
            return
        self.live.remove(runtime)
        try:
            await asyncio.wait_for(close_runtime(runtime), CLOSE_TIMEOUT_S)
        except BaseException:
            runtime.pool.terminate()
            with contextlib.suppress(OSError, nats.errors.Error):
                await runtime.nc.close()
            raise

    def healthy(self) -> bool:
        rt = self.runtime
        return rt is not None and rt.nc.is_connected and rt.readside.failure() is None


class Task(Component):
    """A long-running coroutine (the audit signer), started again when it raises."""

    def __init__(self, name: str, run: Callable[[], Awaitable[None]]) -> None:
        self.name = name
        self.run = run
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.ensure_future(self.run())

    async def watch(self) -> None:
        if self.task is not None:
            await asyncio.wait({self.task})
            self.task.result()

    async def stop(self) -> None:
        task, self.task = self.task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


class GatewayComponent(Component):
    """The HTTP gateway (`start` opens it on its port), started again if it stops serving."""

    name = "gateway"

    def __init__(self, start: Callable[[], Awaitable[Any]]) -> None:
        self._start = start
        self.gateway: Any = None

    async def start(self) -> None:
        self.gateway = await self._start()

    async def watch(self) -> None:
        if self.gateway is not None:
            await asyncio.wait({self.gateway.task})
            self.gateway.task.result()
            raise RuntimeError("the gateway stopped serving")

    async def stop(self) -> None:
        gateway, self.gateway = self.gateway, None
        if gateway is not None:
            await gateway.stop()

    def healthy(self) -> bool:
        return self.gateway is not None and bool(self.gateway.nc.is_connected)
