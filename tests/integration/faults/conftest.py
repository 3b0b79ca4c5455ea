"""`smart up` as a kecamatan runs it: a subprocess on its own data directory, to be hurt."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import nats
import psutil
import pytest

from services.cli.context import settings_for
from services.gateway.auth import Role, issue_token
from shared.events.donations import DonationReceived
from shared.infra.children import leftovers
from shared.infra.credentials import operator_settings
from shared.infra.ports import free_port
from shared.log.reader import read_pages

ROOT = Path(__file__).resolve().parents[3]
UNIT = "Kantor Kecamatan"


@dataclass
class Up:
    """One `smart up` process (started again as often as a test likes) on `data_dir`."""

    data_dir: Path
    http_port: int = field(default_factory=free_port)
    metrics_port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    options: tuple[str, ...] = ()

    @property
    def log(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, http_port: int | None = None) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMART_")}
        env["SMART_METRICS_PORT"] = str(self.metrics_port)
        with self.log.open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "services.cli.main", "up", "--data-dir",
                 str(self.data_dir), "--http-port", str(http_port or self.http_port),
                 *self.options],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        if http_port is None:
            self.proc = proc
        return proc

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    async def healthy(self, timeout: float) -> float:
        """Seconds until `/health` answers 200."""
        began = time.monotonic()
        async with httpx.AsyncClient(base_url=self.base_url, timeout=5) as client:
            while time.monotonic() - began < timeout:
                if self.proc is not None and self.proc.poll() is not None:
                    pytest.fail(f"smart up exited ({self.proc.returncode}):\n{self.tail()}")
                try:
                    if (await client.get("/health")).status_code == 200:
                        return time.monotonic() - began
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.25)
        pytest.fail(f"smart up not healthy within {timeout}s:\n{self.tail()}")

    async def degraded(self, timeout: float) -> dict[str, Any]:
        """The body of the first `/health` that answers 503."""
        began = time.monotonic()
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as client:
            while time.monotonic() - began < timeout:
                resp = await client.get("/health")
                if resp.status_code == 503:
                    return dict(resp.json())
                await asyncio.sleep(0.05)
        pytest.fail(f"/health never answered 503 within {timeout}s")

    async def restarts(self, component: str) -> int:
        async with httpx.AsyncClient(timeout=10) as client:
            text = (await client.get(f"http://127.0.0.1:{self.metrics_port}/metrics")).text
        prefix = f'smart_restarts_total{{component="{component}"}} '
        return int(
            next(line for line in text.splitlines() if line.startswith(prefix))[len(prefix) :]
        )

    def client(self) -> httpx.AsyncClient:
        secret = (self.data_dir / "secret.key").read_text().strip()
        token = issue_token(secret, sub="faults", role=Role.ADMIN)
        return httpx.AsyncClient(
            base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def pid_of(self, server: str) -> int:
        path = {"nats": "nats/nats.pid", "postgres": "pg/postmaster.pid"}[server]
        return int((self.data_dir / path).read_text().split()[0])

    def servers(self) -> list[psutil.Process]:
        """NATS and PostgreSQL servers running on this data directory."""
        return [
            *leftovers("nats-server", ["-c", str(self.data_dir / "nats" / "nats.conf")], None),
            *leftovers("postgres", ["-D", str(self.data_dir / "pg")], None),
        ]

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30) -> float:
        """Seconds until `smart up` exited on `sig`."""
        assert self.proc is not None
        began = time.monotonic()
        self.proc.send_signal(sig)
        self.proc.wait(timeout)
        return time.monotonic() - began


def no_servers_within(up: Up, timeout: float) -> float:
    began = time.monotonic()
    while up.servers():
        assert time.monotonic() - began < timeout, f"still running: {up.servers()}"
        time.sleep(0.1)
    return time.monotonic() - began


@pytest.fixture
def up() -> Iterator[Up]:
    # Outside pytest's tmp tree: as root, PostgreSQL runs as another user.
    data = Path(tempfile.mkdtemp(prefix="smart-faults-")) / "data"
    handle = Up(data)
    yield handle
    if handle.proc is not None and handle.proc.poll() is None:
        handle.proc.kill()
        handle.proc.wait(10)
    for proc in handle.servers():
        proc.kill()
    shutil.rmtree(data.parent, ignore_errors=True)


def kecamatan() -> tuple[str, str]:
    kab = str(random.randint(9400, 9899))
    return kab, f"{kab}{random.randint(10, 99)}"


async def configure(client: httpx.AsyncClient, kab: str, kec: str) -> None:
    dotted = f"{kab[:2]}.{kab[2:]}.{kec[4:]}"
    body = {
        "name": "Kecamatan Uji",
        "desa": [{"code": f"{dotted}.{2001 + i}", "name": f"Desa {i}"} for i in range(2)],
        "units": [UNIT],
    }
    resp = await client.put(f"/api/v1/{kab}/{kec}", json=body)
    assert resp.status_code == 201, resp.text


async def donate_until_acknowledged(
    client: httpx.AsyncClient, kab: str, kec: str, amount: int, deadline: float
) -> str:
    """A client that retries with its Idempotency-Key until the write is acknowledged."""
    key = str(uuid.uuid4())
    body = {"unit": UNIT, "amount_idr": amount, "received_on": time.strftime("%Y-%m-%d")}
    while True:
        try:
            resp = await client.post(
                f"/api/v1/{kab}/{kec}/donations", json=body, headers={"Idempotency-Key": key}
            )
            if resp.status_code in (200, 201):
                return str(resp.json()["donation_id"])
            assert resp.status_code >= 500, resp.text
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "a write was never acknowledged"
        await asyncio.sleep(0.2)


async def donations_in_log(up: Up, kab: str, kec: str) -> list[str]:
    """Every DonationReceived of the kecamatan in the log, read from NATS itself."""
    settings = operator_settings(settings_for(str(up.data_dir)))
    nc = await nats.connect(settings.nats_servers())
    found: list[str] = []
    try:
        async for page in read_pages(nc, f"SMART_{kab}", f"smart.{kab}.{kec}.donations.>"):
            found += [e.event.donation_id for e in page if isinstance(e.event, DonationReceived)]
    finally:
        await nc.close()
    return found


async def fund(client: httpx.AsyncClient, kab: str, kec: str) -> dict[str, Any]:
    resp = await client.get(f"/api/v1/{kab}/{kec}/fund")
    assert resp.status_code == 200, resp.text
    return dict(resp.json())
