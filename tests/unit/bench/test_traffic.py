"""bench.load's traffic: the open loop times each command from when it was due, so a slow
system cannot hide its queue (no coordinated omission); the closed loop waits for each."""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any, cast

import pytest
from nats.aio.client import Client as NATS

from bench.traffic import closed_loop, open_loop, percentile, spread

pytestmark = pytest.mark.unit


class OneAtATime:
    """A service that answers one request at a time, each taking `service_s`."""

    def __init__(self, service_s: float) -> None:
        self.service_s = service_s
        self.busy = asyncio.Lock()
        self.requests: list[dict[str, Any]] = []

    async def request(self, subject: str, data: bytes, timeout: float) -> Any:
        doc = json.loads(data)
        self.requests.append(doc)
        async with self.busy:
            await asyncio.sleep(self.service_s)
        reply = {"status": 201, "position": len(self.requests)}
        if "wait_for" in doc:
            reply = {"status": 200, "data": {}}
        return type("Msg", (), {"data": json.dumps(reply).encode()})()


async def test_the_open_loop_counts_the_queue_a_slow_service_builds() -> None:
    service = OneAtATime(0.02)
    tally = await open_loop(cast(NATS, service), ["352001", "352002"], rate=100, seconds=0.2)
    assert tally.done == 20
    assert tally.failed == 0
    assert max(tally.read_model_s) > 5 * min(tally.read_model_s)  # the last waited in the queue
    assert max(tally.read_model_s) >= 0.02 * 40 - 0.2
    assert {r["kec"] for r in service.requests} == {"352001", "352002"}
    reads = [r for r in service.requests if "wait_for" in r]
    assert sorted(r["wait_for"] for r in reads) == sorted({r["wait_for"] for r in reads})


async def test_the_closed_loop_sends_each_worker_s_next_command_after_its_read() -> None:
    service = OneAtATime(0.005)
    tally = await closed_loop(cast(NATS, service), ["352001"], workers=1, seconds=0.1)
    kinds = ["read" if "wait_for" in r else "command" for r in service.requests]
    assert kinds[: 2 * tally.done] == ["command", "read"] * tally.done
    assert tally.per_kecamatan == {"352001": tally.done}


def test_percentiles_are_of_the_values_measured() -> None:
    values = [0.001 * i for i in range(1, 101)]
    assert percentile(values, 0.99) == pytest.approx(0.099)
    assert math.isnan(percentile([], 0.5))
    assert spread(values, "x") == {
        "x_p50_ms": 50.0,
        "x_p90_ms": 90.0,
        "x_p99_ms": 99.0,
        "x_max_ms": 100.0,
    }
