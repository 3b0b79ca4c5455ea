"""`smart up`: the whole system on one machine, embedded servers unless URLs are given."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.cli.context import CannotRun, ensure_secret, write_endpoints
from services.cli.supervised import GatewayComponent, ServerProcess, Service, Task
from services.registry import available_specs
from shared.audit.checkpoints import checkpoint_forever
from shared.config import Settings
from shared.infra.credentials import inbox_prefix, public, role_settings
from shared.infra.local import LocalInfrastructure
from shared.infra.lock import DataDirInUse, DataDirLock
from shared.infra.natsconn import connect_forever
from shared.infra.permissions import AUDIT
from shared.infra.supervisor import Component, Supervisor
from shared.log.eventstore import EventStore
from shared.metrics import OpsServer, Supervised, configure_logging
from shared.runtime import Runtime, close_runtime, open_runtime

log = logging.getLogger("smart.up")


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise


async def run_services(settings: Settings, only: list[str] | None = None) -> list[Runtime]:
    runtimes: list[Runtime] = []
    try:
        for spec in available_specs(only):
            runtimes.append(await open_runtime(spec, settings))
    except BaseException:
        await stop_services(runtimes)
        raise
    return runtimes


async def stop_services(runtimes: list[Runtime]) -> None:
    for runtime in reversed(runtimes):
        with contextlib.suppress(Exception):
            await close_runtime(runtime)


async def start_ops(
    settings: Settings,
    runtimes: Sequence[Runtime] | Callable[[], Sequence[Runtime]],
    supervisor: Supervised | None = None,
) -> OpsServer | None:
    """`/metrics`, `/healthz`, `/readyz` of this process's services on SMART_METRICS_PORT."""
    if settings.metrics_port is None:
        return None
    ops = OpsServer(runtimes, settings.metrics_port, settings.ready_max_lag, supervisor)
    await ops.start()
    return ops


def _stop_signals() -> asyncio.Event:
    """Set on SIGINT or SIGTERM, from now on."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


@dataclass(frozen=True)
class Listen:
    """Where the dashboard listens: this machine only, or every interface of it."""

    host: str
    port: int

    def network_addresses(self) -> list[str]:
        """The machine's own addresses others can reach, when listening on every interface."""
        if self.host not in ("0.0.0.0", "::"):  # noqa: S104 - a comparison, not a bind
            return []
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET: no packet is sent, it picks the route
            return [s.getsockname()[0]]
        return []


async def _until_stopped() -> None:
    await _stop_signals().wait()


async def up(data_dir: Path, http_port: int, demo: bool, host: str = "127.0.0.1") -> int:
    """Own the data directory, start what is not given, supervise it all until a signal;
    the servers are stopped on every way out, and die with this process if it is killed."""
    stop = _stop_signals()
    settings = Settings().model_copy(
        update={"data_dir": data_dir.resolve(), "http_port": http_port}
    )
    lock = DataDirLock(settings.data_dir)
    try:
        lock.acquire()
    except DataDirInUse as exc:
        raise CannotRun(str(exc)) from None
    local: LocalInfrastructure | None = None
    try:
        if not (settings.nats_url and settings.database_url):
            local = LocalInfrastructure(settings.data_dir, lock)
            endpoints = local.start()  # from the main thread, the servers' parent until exit
            settings = settings.model_copy(
                update={
                    "nats_url": settings.nats_url or endpoints.nats_url,
                    "database_url": settings.database_url or endpoints.database_url,
                    "credentials_dir": endpoints.credentials,
                }
            )
        settings = ensure_secret(settings)
        configure_logging(settings.log_format)
        return await _serve(settings, local, Listen(host, http_port), demo, stop)
    finally:
        if local is not None:
            local.stop()
        lock.release()


async def _serve(
    settings: Settings,
    local: LocalInfrastructure | None,
    listen: Listen,
    demo: bool,
    stop: asyncio.Event,
) -> int:
    live: list[Runtime] = []
    supervisor = Supervisor(_components(settings, local, listen, live, lambda: supervisor))
    ops: OpsServer | None = None
    try:
        await supervisor.start()
        ops = await start_ops(settings, lambda: live, supervisor)
        http_url = f"http://127.0.0.1:{listen.port}" if _optional_gateway() else None
        write_endpoints(settings, http_url)
        _print_running(settings, live, http_url, listen)
        if demo:
            await _load_demo(settings, listen.port)
        print("Press Ctrl-C to stop.", flush=True)
        await stop.wait()
    finally:
        print("Stopping...", flush=True)
        if ops is not None:
            await ops.stop()
        await supervisor.stop()
    return 0


def _components(
    settings: Settings,
    local: LocalInfrastructure | None,
    listen: Listen,
    live: list[Runtime],
    supervisor: Callable[[], Supervisor],
) -> list[Component]:
    """In start order: the servers, the services, the signer, the gateway."""
    parts: list[Component] = []
    servers: tuple[str, ...] = ()
    if local is not None:
        parts += [ServerProcess("nats", local.nats), ServerProcess("postgres", local.postgres)]
        servers = ("nats", "postgres")
    parts += [Service(spec, settings, live, servers) for spec in available_specs()]
    parts.append(Task("audit-signer", lambda: _sign_checkpoints(settings)))
    gateway_mod = _optional_gateway()
    if gateway_mod is not None:

        def report() -> Mapping[str, Mapping[str, Any]]:
            return supervisor().report()

        parts.append(
            GatewayComponent(
                lambda: gateway_mod.start_gateway(
                    settings, listen.port, host=listen.host, supervision=report
                )
            )
        )
    return parts


def _optional_gateway() -> Any:
    return _optional("services.gateway.server")


def _print_running(
    settings: Settings, runtimes: list[Runtime], http_url: str | None, listen: Listen
) -> None:
    print(
        f"Jumat SMART is running ({len(runtimes)} services: {', '.join(r.name for r in runtimes)})"
    )
    print(f"  NATS        {public(settings.nats_url)}")
    print(f"  PostgreSQL  {public(settings.database_url)}")
    print(f"  data        {settings.data_dir}")
    if http_url:
        print(f"  dashboard   {http_url}/   (API {http_url}/api/v1, docs {http_url}/docs)")
        for address in listen.network_addresses():
            print(f"              http://{address}:{listen.port}/   (from the office network)")


async def _load_demo(settings: Settings, http_port: int) -> None:
    demo_mod = _optional("services.gateway.demo")
    if demo_mod is None:
        print("  demo        needs the gateway, which is not installed")
    else:
        print(await demo_mod.load_demo(settings, http_port))


async def _sign_checkpoints(settings: Settings) -> None:
    """The audit signer of `smart up`, on its own connection (a service may be restarting)."""
    settings = role_settings(settings, AUDIT)
    nc = await connect_forever(
        settings.nats_servers(), "smart-audit", inbox_prefix=inbox_prefix(AUDIT)
    )
    try:
        await checkpoint_forever(
            EventStore(
                nc,
                replicas=settings.stream_replicas,
                duplicate_window_s=settings.duplicate_window_s,
            ),
            settings.secret_key.get_secret_value(),
            settings.checkpoint_interval_s,
            settings.served_kabupaten(),
        )
    finally:
        await nc.close()


async def run_one(name: str) -> int:
    settings = Settings()
    configure_logging(settings.log_format)
    if name == "audit":
        return await _run_checkpointer(settings)
    if name == "gateway":
        return await _run_gateway(settings)
    runtimes = await run_services(settings, only=[name])
    if not runtimes:
        print(f"no such service: {name}")
        return 2
    ops = await start_ops(settings, runtimes)
    print(f"{name} running against {len(settings.nats_servers())} NATS server(s)", flush=True)
    try:
        await _until_stopped()
    finally:
        if ops is not None:
            await ops.stop()
        await stop_services(runtimes)
    return 0


async def _run_checkpointer(settings: Settings) -> int:
    """`smart run audit`: sign checkpoints of the served kabupaten's logs periodically."""
    task = asyncio.create_task(_sign_checkpoints(settings))
    print(f"audit checkpoints every {settings.checkpoint_interval_s:.0f}s", flush=True)
    try:
        await _until_stopped()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return 0


async def _run_gateway(settings: Settings) -> int:
    """`smart run gateway`: the HTTP API alone, on SMART_HTTP_PORT, every interface."""
    gateway_mod = _optional("services.gateway.server")
    if gateway_mod is None:
        print("the gateway is not installed")
        return 2
    gateway = await gateway_mod.start_gateway(settings, settings.http_port, host="0.0.0.0")  # noqa: S104
    print(f"gateway listening on port {settings.http_port}", flush=True)
    try:
        await _until_stopped()
    finally:
        await gateway.stop()
    return 0
