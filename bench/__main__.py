"""`python -m bench`: event-log and projection throughput, each as a ratio of its ceiling."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import nats
from nats.aio.client import Client as NATS
from nats.js.api import StreamConfig

from bench.tally import Counted, bench_readside
from shared.clock import utc_now
from shared.infra.local import LocalInfrastructure
from shared.log.canonical import GENESIS_HASH
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.log.reader import read_pages
from shared.readside.rebuild import rebuild
from shared.tenancy import AggregateRef, Tenant

PAYLOAD = b"x" * 300


async def timed(label: str, n: int, work: Callable[[], Awaitable[None]]) -> float:
    start = time.perf_counter()
    await work()
    rate = n / (time.perf_counter() - start)
    print(f"  {label:<58} {rate:>10,.0f} events/s")
    return rate


def ratio(label: str, ours: float, ceiling: float) -> None:
    print(f"  -> {label:<55} {ours / ceiling:>10.2f} of the ceiling")


async def raw_ceilings(nc: NATS, n: int) -> tuple[float, float, float]:
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="RAW", subjects=["raw.>"]))

    async def one_at_a_time() -> None:
        for i in range(n // 4):
            await js.publish(f"raw.one.{i % 50}", PAYLOAD)

    async def pipelined() -> None:
        for i in range(n):
            await js.publish_async(f"raw.pipe.{i % 50}", PAYLOAD, wait_stall=5.0)
        await js.publish_async_completed()

    one = await timed("raw js.publish, one at a time", n // 4, one_at_a_time)
    pipe = await timed("raw js.publish_async, pipelined", n, pipelined)

    async def read() -> None:
        done = asyncio.Event()
        seen = 0

        async def cb(msg: object) -> None:
            nonlocal seen
            seen += 1
            if seen >= n:
                done.set()

        sub = await js.subscribe("raw.pipe.>", cb=cb, ordered_consumer=True)
        await done.wait()
        await sub.unsubscribe()

    read_rate = await timed("raw ordered consumer read, no processing", n, read)
    return one, pipe, read_rate


async def ours(nc: NATS, n: int, kab: str) -> tuple[float, float]:
    store = EventStore(nc)
    tenant = Tenant(kab, f"{kab}01")

    async def writer(agg: str, count: int) -> None:
        ref = AggregateRef(tenant, "bench", "counter", agg)
        last, prev = 0, GENESIS_HASH
        for i in range(count):
            cid = uuid.uuid4().hex
            out = await store.append(
                ref,
                [Counted(n=i)],
                Metadata(command_id=cid, correlation_id=cid, actor="b"),
                expected_last_seq=last,
                version=i,
                prev_hash=prev,
                now=utc_now(),
            )
            last, prev = out.events[0].seq, out.events[0].envelope.hash

    async def sequential() -> None:
        await writer("seq", n // 4)

    async def pipelined() -> None:
        writers = 200
        await asyncio.gather(*(writer(f"p{w}", n // writers) for w in range(writers)))

    one = await timed("append one at a time (expected-seq + msg-id headers)", n // 4, sequential)
    pipe = await timed("append pipelined, 200 aggregates in flight (same headers)", n, pipelined)
    return one, pipe


async def reads_and_rebuild(
    nc: NATS, pool: asyncpg.Pool, kab: str, total: int
) -> tuple[float, float]:
    async def read_only() -> None:
        async for _ in read_pages(nc, f"SMART_{kab}", f"smart.{kab}.>", 1, batch=2000):
            pass

    async def read_parsed() -> None:
        async for page in read_pages(nc, f"SMART_{kab}", f"smart.{kab}.>", 1, batch=2000):
            for e in page:
                _ = e.event

    readside = bench_readside(nc, pool, kab)
    await readside.migrate()

    async def rebuild_once() -> None:
        await rebuild(readside, switch=False)

    raw = await timed("log read (paged ordered consumer), no processing", total, read_only)
    await timed("log read + envelope and payload validation", total, read_parsed)
    rate = await timed("projection rebuild into PostgreSQL (shadow schema)", total, rebuild_once)
    return raw, rate


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="smart-bench-") as tmp:
        local = LocalInfrastructure(Path(tmp))
        endpoints = local.start()
        try:
            nc = await nats.connect(endpoints.nats_url)
            pool = await asyncpg.create_pool(endpoints.database_url, min_size=1, max_size=4)
            assert pool is not None
            print(f"Jumat SMART benchmarks: {n} events of ~300 bytes, NATS with fsync on every ack")
            print("Raw nats-py ceilings")
            raw_one, raw_pipe, raw_read = await raw_ceilings(nc, n)
            print("Event store")
            one, pipe = await ours(nc, n, "9999")
            ratio("one at a time vs raw one at a time", one, raw_one)
            ratio("pipelined vs raw pipelined", pipe, raw_pipe)
            print("Reading and projecting")
            total = n // 4 + (n // 200) * 200
            read_raw, rebuild_rate = await reads_and_rebuild(nc, pool, "9999", total)
            ratio("batched log read vs raw ordered consumer", read_raw, raw_read)
            ratio("projection rebuild vs raw ordered consumer", rebuild_rate, raw_read)
            await pool.close()
            await nc.drain()
        finally:
            local.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    asyncio.run(main(parser.parse_args().events))
