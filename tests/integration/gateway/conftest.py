"""The four services and the gateway on real NATS + PostgreSQL, for the test's kabupaten."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest_asyncio
import uvicorn
from nats.aio.client import Client as NATS

from services.cli.up import run_services, stop_services
from services.gateway.app import create_app
from services.gateway.auth import Role, issue_token
from services.gateway.limits import BodyLimits
from shared.config import Settings
from shared.infra.ports import free_port
from shared.runtime import Runtime
from shared.tenancy import dot, stream_name

UNITS = ["Kantor Kecamatan", "Pemerintah Desa Sukamaju"]


@dataclass
class Gateway:
    """The gateway of a fresh, configured kecamatan, spoken to as its admin."""

    client: httpx.AsyncClient
    nc: NATS
    kab: str
    kec: str
    desa: list[str] = field(default_factory=list)
    runtimes: list[Runtime] = field(default_factory=list)

    def url(self, path: str = "") -> str:
        return f"/api/v1/{self.kab}/{self.kec}{path}"

    async def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return await self.client.post(self.url(path), json=body, **kw)

    async def head(self) -> int:
        """The kabupaten log's last sequence: a refused write must not move it."""
        info = await self.nc.jetstream().stream_info(stream_name(self.kab))
        return int(info.state.last_seq or 0)


def kecamatan_body(kec: str) -> dict[str, Any]:
    desa = [{"code": f"{dot(kec)}.{2001 + i}", "name": f"Desa {i + 1}"} for i in range(3)]
    return {"name": "Kecamatan Uji", "desa": desa, "units": UNITS}


@contextlib.asynccontextmanager
async def serving(settings: Settings, nc: NATS) -> AsyncIterator[int]:
    """The gateway's app with the settings' body limits, on a free port under uvicorn."""
    secret = settings.secret_key.get_secret_value()
    app = create_app(nc, secret, limits=BodyLimits.of(settings))
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the gateway did not start"
        await asyncio.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = server.force_exit = True
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(task, 10)


@pytest_asyncio.fixture
async def gateway(settings: Settings, nc: NATS, kab: str) -> AsyncIterator[Gateway]:
    """Every service and the gateway serving the test's kabupaten; its kecamatan is set up."""
    runtimes = await run_services(settings)
    stack = contextlib.AsyncExitStack()
    port = await stack.enter_async_context(serving(settings, nc))
    kec = f"{kab}{random.randint(10, 99)}"
    token = issue_token(
        settings.secret_key.get_secret_value(), sub="t", role=Role.ADMIN, kab=kab, kec=kec
    )
    client = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    try:
        gw = Gateway(client, nc, kab, kec, runtimes=runtimes)
        resp = await client.put(gw.url(), json=kecamatan_body(kec))
        assert resp.status_code == 201, resp.text
        gw.desa = [d["code"] for d in resp.json()["desa"]]
        yield gw
    finally:
        try:
            await client.aclose()
            await stack.aclose()
        finally:
            await stop_services(runtimes)
