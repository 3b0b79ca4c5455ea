"""What the service path is measured against, on the same servers in the same run: the bare
`CommandRunner` on the event store, and raw fsynced JetStream publishes, pipelined."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid

from nats.aio.client import Client as NATS
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from bench.tally import Counted
from shared.log.aggregate import AggregateType, CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.tenancy import AggregateRef, Tenant

COUNTER = AggregateType[int]("bench", "counter", lambda: 0, lambda n, e: n + 1)
RAW_STREAM = "BENCH_RAW"
PAYLOAD = b"x" * 300


async def bare_runner(store: EventStore, kab: str, in_flight: int, seconds: float) -> float:
    """Commands/s of `in_flight` writers, each on its own aggregate, through the runner
    alone: no RPC, no facts, no read model."""
    runner = CommandRunner(store)
    tenant = Tenant(kab, f"{kab}01")
    run = uuid.uuid4().hex[:8]
    done = 0
    until = time.monotonic() + seconds

    async def writer(w: int) -> None:
        nonlocal done
        ref = AggregateRef(tenant, "bench", "counter", f"{run}-{w}")
        while time.monotonic() < until:
            cid = uuid.uuid4().hex
            meta = Metadata(command_id=cid, correlation_id=cid, actor="bench")
            await runner.execute(COUNTER, ref, meta, lambda n: [Counted(n=n + 1)])
            done += 1

    start = time.monotonic()
    await asyncio.gather(*(writer(w) for w in range(in_flight)))
    return done / (time.monotonic() - start)


async def raw_publish(nc: NATS, count: int) -> float:
    """Publishes/s of `count` ~300-byte messages to a file stream, acks awaited in a
    pipeline (the server fsyncs before each ack)."""
    js = nc.jetstream()
    with contextlib.suppress(NotFoundError):
        await js.delete_stream(RAW_STREAM)
    await js.add_stream(
        StreamConfig(name=RAW_STREAM, subjects=["benchraw.>"], storage=StorageType.FILE)
    )
    try:
        start = time.monotonic()
        for i in range(count):
            await js.publish_async(f"benchraw.{i % 50}", PAYLOAD, wait_stall=60.0)
        await js.publish_async_completed()
        return count / (time.monotonic() - start)
    finally:
        await js.delete_stream(RAW_STREAM)
