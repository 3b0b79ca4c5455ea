"""NATS or PostgreSQL killed under writes: `smart up` heals by itself, and loses nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from tests.integration.faults.conftest import (
    Up,
    configure,
    donate_until_acknowledged,
    donations_in_log,
    fund,
    kecamatan,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(180)]
WRITES = 12


async def _killed_under_writes(up: Up, server: str) -> float:
    """Three clients write donations; `server` is SIGKILLed once some are acknowledged.
    Returns the seconds from the kill until `/health` answered 200 again."""
    up.start()
    await up.healthy(90)
    places = list({kecamatan() for _ in range(3)})
    acked: dict[tuple[str, str], list[str]] = {p: [] for p in places}
    some_acked = asyncio.Event()
    async with up.client() as client:
        for kab, kec in places:
            await configure(client, kab, kec)
        deadline = time.monotonic() + 120

        async def writer(kab: str, kec: str) -> None:
            for i in range(WRITES):
                acked[(kab, kec)].append(
                    await donate_until_acknowledged(client, kab, kec, 1000 * (i + 1), deadline)
                )
                if sum(map(len, acked.values())) >= 6:
                    some_acked.set()

        tasks = [asyncio.create_task(writer(kab, kec)) for kab, kec in places]
        await asyncio.wait_for(some_acked.wait(), 60)
        pid = up.pid_of(server)
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        body = await up.degraded(10)
        await up.healthy(30)
        healed = time.monotonic() - killed
        await asyncio.gather(*tasks)
        await up.healthy(30)

        assert body["ok"] is False
        assert up.pid_of(server) != pid
        assert await up.restarts(server) == 1
        assert await up.restarts("postgres" if server == "nats" else "nats") == 0
        total = sum(1000 * (i + 1) for i in range(WRITES))
        for kab, kec in places:
            logged = await donations_in_log(up, kab, kec)
            assert sorted(logged) == sorted(acked[(kab, kec)])
            assert len(set(logged)) == WRITES
            assert (await fund(client, kab, kec))["donated_idr"] == total
    return healed


async def test_nats_killed_under_writes_heals_by_itself_keeping_each_write_once(up: Up) -> None:
    healed = await _killed_under_writes(up, "nats")
    print(f"NATS SIGKILLed: healthy again after {healed:.1f}s")
    assert healed < 30


async def test_postgres_killed_under_writes_heals_by_itself_keeping_each_write(up: Up) -> None:
    healed = await _killed_under_writes(up, "postgres")
    print(f"PostgreSQL SIGKILLed: healthy again after {healed:.1f}s")
    assert healed < 30
