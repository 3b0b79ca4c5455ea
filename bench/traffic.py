"""The donations `bench.load` sends: closed loop (each worker waits for its answer) and open
loop (arrivals on a fixed schedule, timed from when they were due, not when they were sent)."""

from __future__ import annotations

import asyncio
import json
import math
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import nats.errors
from nats.aio.client import Client as NATS

from shared.edge.rpc import rpc_subject

KAB = "3520"
RECEIVE = rpc_subject(KAB, "donations", "donation_receive")
FUND = rpc_subject(KAB, "donations", "fund")
BODY = {"unit": "Desa Satu", "amount_idr": 50_000, "received_on": "2024-03-01"}
MS = 1000.0


@dataclass
class Tally:
    """What was measured: seconds from each command's start (or due time) to its reply and
    to the read model answering at the reply's position."""

    reply_s: list[float] = field(default_factory=list)
    read_model_s: list[float] = field(default_factory=list)
    per_kecamatan: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return len(self.read_model_s)

    def fail(self, what: str) -> None:
        self.failed += 1
        self.errors[what] = self.errors.get(what, 0) + 1


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(math.ceil(p * len(ordered)) - 1, 0)]


def spread(values: Sequence[float], prefix: str) -> dict[str, float]:
    """p50 / p90 / p99 / max of `values` (seconds) in milliseconds."""
    points = {"p50": 0.5, "p90": 0.9, "p99": 0.99, "max": 1.0}
    return {f"{prefix}_{k}_ms": round(percentile(values, p) * MS, 1) for k, p in points.items()}


async def ask(nc: NATS, subject: str, request: dict[str, Any]) -> dict[str, Any]:
    """An RPC as `shared.edge.rpc.call` sends it (an `RpcRequest`'s JSON), spelled out: the load
    generator shares the machine with what it measures, so it spends as little as it can."""
    msg = await nc.request(subject, json.dumps(request).encode(), timeout=30)
    reply: dict[str, Any] = json.loads(msg.data)
    return reply


async def donate_and_read(nc: NATS, kec: str, start: float, tally: Tally) -> None:
    """One donation, then the fund read at the reply's position; timed from `start`."""
    request = {"kab": KAB, "kec": kec, "command_id": str(uuid.uuid4()), "actor": "bench"}
    try:
        reply = await ask(nc, RECEIVE, {**request, "body": BODY})
        replied = time.monotonic()
        if reply.get("status") != 201:
            tally.fail(f"command {reply.get('status')}")
            return
        fund = await ask(nc, FUND, {**request, "wait_for": reply["position"]})
    except (TimeoutError, nats.errors.Error) as exc:
        tally.fail(type(exc).__name__)
        return
    if fund.get("status") != 200:
        tally.fail(f"read {fund.get('status')}")
        return
    tally.reply_s.append(replied - start)
    tally.read_model_s.append(time.monotonic() - start)
    tally.per_kecamatan[kec] = tally.per_kecamatan.get(kec, 0) + 1


async def closed_loop(nc: NATS, kecamatan: Sequence[str], workers: int, seconds: float) -> Tally:
    """`workers` per kecamatan, each sending its next donation once the last one is read."""
    tally = Tally()
    until = time.monotonic() + seconds

    async def worker(kec: str) -> None:
        while time.monotonic() < until:
            await donate_and_read(nc, kec, time.monotonic(), tally)

    await asyncio.gather(*(worker(k) for k in kecamatan for _ in range(workers)))
    return tally


async def open_loop(nc: NATS, kecamatan: Sequence[str], rate: float, seconds: float) -> Tally:
    """`rate` donations a second, round the kecamatan, whatever the latency: the i-th is
    due at `i / rate` and timed from then, so a stalled system cannot hide its queue."""
    tally = Tally()
    start = time.monotonic()
    tasks: set[asyncio.Task[None]] = set()
    for i in range(int(rate * seconds)):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(donate_and_read(nc, kecamatan[i % len(kecamatan)], due, tally))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks, timeout=60)
    return tally
