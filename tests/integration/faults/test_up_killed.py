"""`smart up` itself killed, started twice, or stopped with NATS dead: nothing is orphaned."""

from __future__ import annotations

import json
import os
import signal
import socket
import time

import pytest

from shared.infra.ports import free_port
from tests.integration.faults.conftest import (
    Up,
    configure,
    donate_until_acknowledged,
    donations_in_log,
    fund,
    kecamatan,
    no_servers_within,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(150)]


async def test_killed_smart_up_leaves_nothing_and_starts_again_losing_nothing(up: Up) -> None:
    up.start()
    await up.healthy(90)
    kab, kec = kecamatan()
    async with up.client() as client:
        await configure(client, kab, kec)
        deadline = time.monotonic() + 30
        ids = [await donate_until_acknowledged(client, kab, kec, 5000, deadline) for _ in range(5)]

    before = json.loads((up.data_dir / "endpoints.json").read_text())
    assert up.proc is not None
    up.proc.kill()
    up.proc.wait(10)
    killed = time.monotonic()
    gone = no_servers_within(up, 15)

    up.start()
    await up.healthy(30)
    again = time.monotonic() - killed
    print(f"smart up SIGKILLed: servers gone after {gone:.1f}s, healthy again after {again:.1f}s")
    assert again < 30
    assert "stale lock" in up.tail(200)
    after = json.loads((up.data_dir / "endpoints.json").read_text())
    assert (after["nats_url"], after["database_url"]) == (
        before["nats_url"],
        before["database_url"],
    )
    async with up.client() as client:
        assert (await fund(client, kab, kec))["donated_idr"] == 25_000
    assert sorted(await donations_in_log(up, kab, kec)) == sorted(ids)


async def test_a_second_smart_up_on_the_same_directory_is_refused(up: Up) -> None:
    up.start()
    await up.healthy(90)
    assert up.proc is not None
    nats_pid = up.pid_of("nats")

    second = up.start(http_port=free_port())
    second.wait(30)
    assert second.returncode == 2
    message = up.tail(5)
    assert f"pid {up.proc.pid}" in message
    assert "sedang dipakai" in message
    assert "is in use" in message

    assert up.proc.poll() is None
    assert up.pid_of("nats") == nats_pid
    assert await up.healthy(5) < 5
    assert len(up.servers()) == 2


async def test_sigint_with_nats_dead_stops_everything_within_30s(up: Up) -> None:
    up.start()
    await up.healthy(90)
    os.kill(up.pid_of("nats"), signal.SIGKILL)
    took = up.stop(signal.SIGINT, timeout=30)
    print(f"SIGINT with NATS dead: exited after {took:.1f}s")
    assert up.proc is not None
    assert up.proc.returncode == 0, up.tail()
    assert "ConnectionReconnectingError" not in up.tail(400)
    assert no_servers_within(up, 1) < 1


async def test_sigterm_stops_everything(up: Up) -> None:
    up.start()
    await up.healthy(90)
    took = up.stop(signal.SIGTERM, timeout=30)
    assert up.proc is not None
    assert up.proc.returncode == 0, up.tail()
    assert took < 30
    assert up.servers() == []
    assert not (up.data_dir / "pg" / "postmaster.pid").exists()


async def test_a_failed_start_stops_the_servers_it_started(up: Up) -> None:
    with socket.create_server(("127.0.0.1", up.http_port)):
        proc = up.start()
        proc.wait(90)
    assert proc.returncode != 0
    assert "the gateway stopped" in up.tail(200)
    assert up.servers() == []
