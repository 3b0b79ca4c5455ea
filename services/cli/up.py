"""`smart up`: the whole system on one machine, embedded servers unless URLs are given."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
from pathlib import Path
from typing import Any

import nats

from services.cli.context import ensure_secret, write_endpoints
from services.registry import available_specs
from shared.checkpoints import checkpoint_forever
from shared.config import Settings
from shared.eventstore import EventStore
from shared.infra.local import LocalInfrastructure
from shared.metrics import OpsServer, configure_logging
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


async def start_ops(settings: Settings, runtimes: list[Runtime]) -> OpsServer | None:
    """`/metrics`, `/healthz`, `/readyz` of this process's services on SMART_METRICS_PORT."""
    if settings.metrics_port is None:
        return None
    ops = OpsServer(runtimes, settings.metrics_port, settings.ready_max_lag)
    await ops.start()
    return ops


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def up(data_dir: Path, http_port: int, demo: bool) -> int:
    settings = Settings().model_copy(
        update={"data_dir": data_dir.resolve(), "http_port": http_port}
    )
    local: LocalInfrastructure | None = None
    if not (settings.nats_url and settings.database_url):
        local = LocalInfrastructure(data_dir)
        endpoints = await asyncio.to_thread(local.start)
        settings = settings.model_copy(
            update={
                "nats_url": settings.nats_url or endpoints.nats_url,
                "database_url": settings.database_url or endpoints.database_url,
            }
        )
    settings = ensure_secret(settings)
    configure_logging(settings.log_format)
    runtimes: list[Runtime] = []
    gateway = None
    ops: OpsServer | None = None
    signer: asyncio.Task[None] | None = None
    try:
        runtimes = await run_services(settings)
        ops = await start_ops(settings, runtimes)
        signer = asyncio.create_task(_sign_checkpoints(settings, runtimes))
        gateway_mod = _optional("services.gateway.server")
        http_url = None
        if gateway_mod is not None:
            gateway = await gateway_mod.start_gateway(settings, http_port)
            http_url = f"http://127.0.0.1:{http_port}"
        write_endpoints(settings, http_url)
        print(
            f"Jumat SMART is running ({len(runtimes)} services: "
            f"{', '.join(r.name for r in runtimes)})"
        )
        print(f"  NATS        {settings.nats_url}")
        print(f"  PostgreSQL  {settings.database_url}")
        print(f"  data        {settings.data_dir}")
        if http_url:
            print(f"  dashboard   {http_url}/   (API {http_url}/api/v1, docs {http_url}/docs)")
        if demo:
            demo_mod = _optional("services.gateway.demo")
            if demo_mod is None:
                print("  demo        needs the gateway, which is not installed")
            else:
                print(await demo_mod.load_demo(settings, http_port))
        print("Press Ctrl-C to stop.", flush=True)
        await _until_stopped()
    finally:
        print("Stopping...", flush=True)
        if signer is not None:
            signer.cancel()
            await asyncio.gather(signer, return_exceptions=True)
        if gateway is not None:
            await gateway.stop()
        if ops is not None:
            await ops.stop()
        await stop_services(runtimes)
        if local is not None:
            await asyncio.to_thread(local.stop)
    return 0


async def _sign_checkpoints(settings: Settings, runtimes: list[Runtime]) -> None:
    if runtimes:
        await checkpoint_forever(
            runtimes[0].store,
            settings.secret_key.get_secret_value(),
            settings.checkpoint_interval_s,
            settings.served_kabupaten(),
        )


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
    nc = await nats.connect(
        servers=settings.nats_servers(), name="smart-audit", max_reconnect_attempts=-1
    )
    task = asyncio.create_task(
        checkpoint_forever(
            EventStore(nc),
            settings.secret_key.get_secret_value(),
            settings.checkpoint_interval_s,
            settings.served_kabupaten(),
        )
    )
    print(f"audit checkpoints every {settings.checkpoint_interval_s:.0f}s", flush=True)
    try:
        await _until_stopped()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await nc.drain()
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
