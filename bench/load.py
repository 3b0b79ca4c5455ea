"""`python -m bench.load`: the 18 kecamatan of Magetan sending donations at once; commands/s
and latency from command to read model (reply position -> `wait_for` query answered)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import nats
from nats.aio.client import Client as NATS

from services.cli.up import run_services, stop_services
from shared.aggregate import AggregateType, CommandRunner
from shared.config import Settings
from shared.envelope import Metadata
from shared.events.base import DomainEvent
from shared.events.scheduler import Desa, KecamatanConfigured, kecamatan_ref
from shared.eventstore import EventStore
from shared.infra.cluster import NatsCluster, wait_for_jetstream
from shared.infra.local import LocalInfrastructure
from shared.rpc import RpcRequest, call
from shared.tenancy import Tenant

KAB = "3520"
MAGETAN = (
    ("35.20.01", "Poncol"), ("35.20.02", "Parang"), ("35.20.03", "Lembeyan"),
    ("35.20.04", "Takeran"), ("35.20.05", "Kawedanan"), ("35.20.06", "Magetan"),
    ("35.20.07", "Plaosan"), ("35.20.08", "Panekan"), ("35.20.09", "Sukomoro"),
    ("35.20.10", "Bendo"), ("35.20.11", "Maospati"), ("35.20.12", "Barat"),
    ("35.20.13", "Karangrejo"), ("35.20.14", "Karas"), ("35.20.15", "Kartoharjo"),
    ("35.20.16", "Ngariboyo"), ("35.20.17", "Nguntoronadi"), ("35.20.18", "Sidorejo"),
)  # fmt: skip
UNITS = ["Kantor Kecamatan", "Desa Satu", "Desa Dua"]
KECAMATAN = AggregateType[int]("scheduler", "kecamatan", lambda: 0, lambda n, e: n + 1)


@dataclass
class Tally:
    """What the workers measured."""

    command_s: list[float] = field(default_factory=list)
    read_model_s: list[float] = field(default_factory=list)
    per_kecamatan: dict[str, int] = field(default_factory=dict)
    failed: int = 0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(math.ceil(p * len(ordered)) - 1, 0)]


async def configure(store: EventStore, kec: str, name: str) -> None:
    """The kecamatan's set-up, as the scheduler appends it on PUT."""
    tenant = Tenant.parse(KAB, kec)
    event: DomainEvent = KecamatanConfigured(
        kecamatan=kec, name=name, desa=[Desa(code=f"{kec}.2001", name="Desa Satu")], units=UNITS
    )
    cid = f"bench-load-configure-{kec}"
    await CommandRunner(store).execute(
        KECAMATAN,
        kecamatan_ref(tenant),
        Metadata(command_id=cid, correlation_id=cid, actor="bench"),
        lambda _: [event],
    )


async def worker(nc: NATS, kec: str, until: float, tally: Tally) -> None:
    """Donate, then read the fund at the reply's position, until the deadline."""
    body = {"unit": "Desa Satu", "amount_idr": 50_000, "received_on": "2024-03-01"}
    while time.monotonic() < until:
        start = time.monotonic()
        request = RpcRequest(kab=KAB, kec=kec, actor="bench", body=body)
        reply = await call(nc, "donations", "donation_receive", request, timeout=30)
        answered = time.monotonic()
        if reply.status != 201:
            tally.failed += 1
            continue
        query = RpcRequest(kab=KAB, kec=kec, actor="bench", wait_for=reply.position)
        fund = await call(nc, "donations", "fund", query, timeout=30)
        if fund.status != 200:
            tally.failed += 1
            continue
        tally.command_s.append(answered - start)
        tally.read_model_s.append(time.monotonic() - start)
        tally.per_kecamatan[kec] = tally.per_kecamatan.get(kec, 0) + 1


@contextlib.asynccontextmanager
async def infrastructure(nodes: int) -> AsyncIterator[tuple[str, str]]:
    """SMART_NATS_URL / SMART_DATABASE_URL if set, else embedded servers (a cluster of
    `nodes` nats-server processes when nodes > 1) in a temporary directory."""
    nats_url, db_url = os.environ.get("SMART_NATS_URL"), os.environ.get("SMART_DATABASE_URL")
    if nats_url and db_url:
        yield nats_url, db_url
        return
    data = Path(tempfile.mkdtemp(prefix="smart-load-"))
    local = LocalInfrastructure(data)
    endpoints = await asyncio.to_thread(local.start)
    cluster = NatsCluster(data / "cluster", nodes) if nodes > 1 else None
    try:
        if cluster is not None:
            await asyncio.to_thread(cluster.start)
        yield (cluster.urls() if cluster else endpoints.nats_url), endpoints.database_url
    finally:
        if cluster is not None:
            await asyncio.to_thread(cluster.stop)
        await asyncio.to_thread(local.stop)


async def run(args: argparse.Namespace) -> dict[str, object]:
    async with infrastructure(args.nodes) as (nats_url, db_url):
        settings = Settings(
            nats_url=nats_url,
            database_url=db_url,
            stream_replicas=args.stream_replicas or min(args.nodes, 3),
            kabupaten=KAB,
            secret_key=os.environ.get("SMART_SECRET_KEY", "bench-load"),
        )
        nc = await nats.connect(servers=settings.nats_servers(), max_reconnect_attempts=-1)
        await wait_for_jetstream(nc, replicas=settings.stream_replicas)
        runtimes = []
        try:
            for _ in range(args.replicas):
                runtimes += await run_services(settings, only=["donations"])
            store = EventStore(nc, replicas=settings.stream_replicas)
            for kec, name in MAGETAN:
                await configure(store, kec, name)
            tally = Tally()
            start = time.monotonic()
            until = start + args.seconds
            await asyncio.gather(
                *(
                    worker(nc, kec.replace(".", ""), until, tally)
                    for kec, _ in MAGETAN
                    for _ in range(args.concurrency)
                )
            )
            elapsed = time.monotonic() - start
        finally:
            await stop_services(runtimes)
            await nc.drain()
    return report(tally, elapsed, args, settings.stream_replicas)


def report(
    tally: Tally, elapsed: float, args: argparse.Namespace, replicas: int
) -> dict[str, object]:
    counts = [tally.per_kecamatan.get(k.replace(".", ""), 0) for k, _ in MAGETAN]
    ms = 1000.0
    return {
        "kecamatan": len(MAGETAN),
        "workers": len(MAGETAN) * args.concurrency,
        "service_replicas": args.replicas,
        "nats_nodes": args.nodes,
        "stream_replicas": replicas,
        "seconds": round(elapsed, 1),
        "commands": len(tally.command_s),
        "failed": tally.failed,
        "commands_per_s": round(len(tally.command_s) / elapsed, 1),
        "command_p50_ms": round(percentile(tally.command_s, 0.5) * ms, 1),
        "command_p99_ms": round(percentile(tally.command_s, 0.99) * ms, 1),
        "read_model_p50_ms": round(percentile(tally.read_model_s, 0.5) * ms, 1),
        "read_model_p99_ms": round(percentile(tally.read_model_s, 0.99) * ms, 1),
        "per_kecamatan_min_max": [min(counts), max(counts)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=2, help="workers per kecamatan")
    parser.add_argument("--replicas", type=int, default=2, help="donations service replicas")
    parser.add_argument("--nodes", type=int, default=1, help="nats-server processes")
    parser.add_argument("--stream-replicas", type=int, default=0, help="default min(nodes, 3)")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    print(json.dumps(result, indent=2))
    print(
        f"{result['commands_per_s']} commands/s; command -> read model "
        f"p50 {result['read_model_p50_ms']} ms, p99 {result['read_model_p99_ms']} ms "
        f"({result['commands']} commands, {result['failed']} failed, {result['seconds']} s)"
    )


if __name__ == "__main__":
    main()
