"""The services `bench.load` measures, each replica its own `smart run <service>` process (as
a deployment runs them), optionally sampled by py-spy while the load runs."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from shared.config import Settings

READY_TIMEOUT_S = 60.0


@dataclass
class Fleet:
    """Started service processes; `profiles` are the py-spy recordings under way."""

    processes: list[asyncio.subprocess.Process] = field(default_factory=list)
    profiles: list[asyncio.subprocess.Process] = field(default_factory=list)
    drains: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    async def start(self, settings: Settings, service: str, replicas: int) -> None:
        env = {
            **os.environ,
            "SMART_NATS_URL": settings.nats_url or "",
            "SMART_DATABASE_URL": settings.database_url or "",
            "SMART_KABUPATEN": settings.kabupaten,
            "SMART_STREAM_REPLICAS": str(settings.stream_replicas),
            "SMART_SECRET_KEY": settings.secret_key.get_secret_value(),
        }
        if settings.credentials_dir is not None:  # each service logs in as its own role
            env["SMART_CREDENTIALS_DIR"] = str(settings.credentials_dir)
        for _ in range(replicas):
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "services.cli.main",
                "run",
                service,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
            self.processes.append(proc)
            assert proc.stdout is not None
            await asyncio.wait_for(_running(proc.stdout), READY_TIMEOUT_S)
            self.drains.append(asyncio.create_task(_discard(proc.stdout)))

    async def profile(self, out: Path, seconds: float, rate: int = 200) -> list[Path]:
        """Sample every service process for `seconds` (py-spy, raw stacks) into `out`."""
        spy = shutil.which("py-spy")
        if spy is None:
            raise RuntimeError("--profile needs py-spy on PATH (pip install py-spy)")
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for i, pid in enumerate(self.pids):
            path = out / f"service-{i}.txt"
            args = ["record", "--pid", str(pid), "--duration", str(int(seconds))]
            args += ["--rate", str(rate), "--gil", "--format", "raw", "--output", str(path)]
            self.profiles.append(
                await asyncio.create_subprocess_exec(
                    spy,
                    *args,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                )
            )
            paths.append(path)
        return paths

    async def stop(self) -> None:
        for spy in self.profiles:
            await spy.wait()
        for proc in self.processes:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        for proc in self.processes:
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await asyncio.gather(*self.drains, return_exceptions=True)


async def _running(stdout: asyncio.StreamReader) -> None:
    """Until the process says it runs (`smart run` prints it once it serves)."""
    while line := await stdout.readline():
        if b"running" in line:
            return
    raise RuntimeError("a service process exited before it ran")


async def _discard(stream: asyncio.StreamReader) -> None:
    while await stream.read(65536):
        pass
