"""`python -m bench.load`: the 18 kecamatan of Magetan donating at once through the donations
service (each replica its own process), closed loop then open loop at `--rate`, beside the
bare `CommandRunner` and raw fsynced publishes measured on the same servers; JSON out.

Latency is from a command's start (open loop: from when it was due) to its reply, and to
the fund read at the reply's position (`wait_for`) being answered."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client as NATS

from bench.ceilings import bare_runner, raw_publish
from bench.cpu import measured
from bench.fleet import Fleet
from bench.profile import shares
from bench.traffic import KAB, Tally, closed_loop, open_loop, spread
from shared.config import Settings
from shared.events.base import DomainEvent
from shared.events.scheduler import Desa, KecamatanConfigured, kecamatan_ref
from shared.infra.cluster import NatsCluster, wait_for_jetstream
from shared.infra.local import Endpoints, LocalInfrastructure
from shared.log.aggregate import AggregateType, CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.tenancy import Tenant

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
CEILING_KAB = "9998"


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


@contextlib.asynccontextmanager
async def infrastructure(nodes: int) -> AsyncIterator[tuple[Endpoints, LocalInfrastructure | None]]:
    """SMART_NATS_URL / SMART_DATABASE_URL if set, else embedded servers (a cluster of
    `nodes` nats-server processes when nodes > 1) in a temporary directory."""
    nats_url, db_url = os.environ.get("SMART_NATS_URL"), os.environ.get("SMART_DATABASE_URL")
    if nats_url and db_url:
        yield Endpoints(nats_url, db_url), None
        return
    data = Path(tempfile.mkdtemp(prefix="smart-load-"))
    local = LocalInfrastructure(data)
    endpoints = await asyncio.to_thread(local.start)
    cluster = NatsCluster(data / "cluster", nodes) if nodes > 1 else None
    try:
        if cluster is not None:
            await asyncio.to_thread(cluster.start)
        if cluster is None:
            yield endpoints, local
        else:
            yield Endpoints(cluster.urls(), endpoints.database_url), None
    finally:
        if cluster is not None:
            await asyncio.to_thread(cluster.stop)
        await asyncio.to_thread(local.stop)
        shutil.rmtree(data, ignore_errors=True)


async def measure(
    nc: NATS,
    settings: Settings,
    fleet: Fleet,
    local: LocalInfrastructure | None,
    args: argparse.Namespace,
) -> dict[str, Any]:
    load_average = os.getloadavg()[0]  # others' work on the machine skews every figure
    store = EventStore(nc, replicas=settings.stream_replicas)
    for kec, name in MAGETAN:
        await configure(store, kec, name)
    kecamatan = [kec.replace(".", "") for kec, _ in MAGETAN]
    await closed_loop(nc, kecamatan, 1, args.warmup)
    profiles = []
    if args.profile:
        profiles = await fleet.profile(Path(args.profile), args.seconds)
    with measured(local, fleet.pids) as closed_cpu:
        closed = await closed_loop(nc, kecamatan, args.concurrency, args.seconds)
    with measured(local, fleet.pids) as open_cpu:
        opened = await open_loop(nc, kecamatan, args.rate, args.seconds) if args.rate else Tally()
    bare = await bare_runner(store, CEILING_KAB, 16, min(args.seconds, 5.0))
    raw = await raw_publish(nc, args.raw_messages)
    result = report(closed, opened, bare, raw, args, settings.stream_replicas)
    result["setup"]["load_average_before"] = round(load_average, 2)
    result["closed_loop"]["cpu_ms_per_command"] = closed_cpu.per_command_ms(closed.done)
    result["open_loop"]["cpu_ms_per_command"] = open_cpu.per_command_ms(opened.done)
    if profiles:
        await fleet.stop()
        result["profile"] = [shares(p) for p in profiles if p.exists()]
    return result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    async with infrastructure(args.nodes) as (endpoints, local):
        settings = Settings(
            nats_url=endpoints.nats_url,
            database_url=endpoints.database_url,
            credentials_dir=endpoints.credentials,
            stream_replicas=args.stream_replicas or min(args.nodes, 3),
            kabupaten=KAB,
            secret_key=os.environ.get("SMART_SECRET_KEY", "bench-load"),
        )
        nc = await nats.connect(servers=settings.nats_servers(), max_reconnect_attempts=-1)
        await wait_for_jetstream(nc, replicas=settings.stream_replicas)
        fleet = Fleet()
        try:
            await fleet.start(settings, "donations", args.replicas)
            return await measure(nc, settings, fleet, local, args)
        finally:
            await fleet.stop()
            await nc.drain()


def report(
    closed: Tally,
    opened: Tally,
    bare: float,
    raw: float,
    args: argparse.Namespace,
    replicas: int,
) -> dict[str, Any]:
    counts = [closed.per_kecamatan.get(k.replace(".", ""), 0) for k, _ in MAGETAN]
    closed_rate = len(closed.read_model_s) / args.seconds
    return {
        "setup": {
            "kecamatan": len(MAGETAN),
            "service_replicas": args.replicas,
            "nats_nodes": args.nodes,
            "stream_replicas": replicas,
            "seconds": args.seconds,
            "cpus": os.cpu_count(),
        },
        "closed_loop": {
            "workers": len(MAGETAN) * args.concurrency,
            "commands": len(closed.read_model_s),
            "failed": closed.failed,
            "commands_per_s": round(closed_rate, 1),
            **spread(closed.reply_s, "reply"),
            **spread(closed.read_model_s, "read_model"),
            "per_kecamatan_min_max": [min(counts), max(counts)],
        },
        "open_loop": {
            "rate_per_s": args.rate,
            "commands": len(opened.read_model_s),
            "failed": opened.failed,
            "errors": opened.errors,
            **spread(opened.reply_s, "reply"),
            **spread(opened.read_model_s, "read_model"),
        },
        "bare_runner_16_in_flight_per_s": round(bare, 1),
        "raw_publish_pipelined_per_s": round(raw, 1),
        "service_vs_bare_runner": round(closed_rate / bare, 3),
        "service_vs_raw_publish": round(closed_rate / raw, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="per measured phase")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=2, help="closed-loop workers per kec")
    parser.add_argument("--rate", type=float, default=200.0, help="open-loop commands/s, 0: none")
    parser.add_argument("--replicas", type=int, default=2, help="donations service processes")
    parser.add_argument("--nodes", type=int, default=1, help="nats-server processes")
    parser.add_argument("--stream-replicas", type=int, default=0, help="default min(nodes, 3)")
    parser.add_argument("--raw-messages", type=int, default=20_000)
    parser.add_argument("--profile", metavar="DIR", help="py-spy the services in the closed loop")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args)), indent=2))


if __name__ == "__main__":
    main()
