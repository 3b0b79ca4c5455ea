"""`python -m bench.replay --events 1000000`: replay a synthetic history into all four
services' read models; events/s as a ratio of the raw read ceiling of the same run, and
resident memory sampled along the way."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import asyncpg
import nats
from nats.aio.client import Client as NATS

from bench.generate import SCALES, months_for, tenants
from services.cli.ops import readsides_for
from shared.config import Settings
from shared.infra.local import Endpoints, LocalInfrastructure
from shared.log.eventstore import EventStore
from shared.readside.pages import PAGE, Progress
from shared.readside.rebuild import rebuild_all
from shared.readside.replay_workers import Workers
from shared.tenancy import STREAM_PREFIX

SECRET = "bench-secret"  # noqa: S105 - the synthetic deployment's secret
MARKER = "bench-history.json"
SAMPLES = (0.1, 0.25, 0.5, 0.75, 1.0)


def _status_mb(pid: int | str, field: str) -> float:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    return next((int(x.split()[1]) / 1024 for x in lines if x.startswith(field)), 0.0)


def cpu_s() -> float:
    """CPU seconds of this process and of its finished replay workers."""
    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def machine_s() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine: servers and every process included."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    idle = ticks[3] + ticks[4]
    return (sum(ticks[:8]) - idle) / hz, idle / hz


def rss_mb() -> float:
    """Resident memory of this process and its replay workers."""
    pids: list[int | str] = ["self"]
    pids += [p.pid for p in multiprocessing.active_children() if p.pid]
    return sum(_status_mb(pid, "VmRSS:") for pid in pids)


def _proc_cpu(stat: str, with_children: bool) -> float:
    fields = stat.rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of a server process, its live children and its reaped ones."""
    total = _proc_cpu(Path(f"/proc/{pid}/stat").read_text(), with_children=True)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            total += _proc_cpu(stat, with_children=False)
    return total


def servers_cpu_s(local: LocalInfrastructure) -> tuple[float, float]:
    """(NATS, PostgreSQL) CPU seconds so far."""
    assert local.nats.proc is not None
    postmaster = int((local.postgres.pgdata / "postmaster.pid").read_text().split()[0])
    return tree_cpu_s(local.nats.proc.pid), tree_cpu_s(postmaster)


@contextmanager
def infrastructure(data_dir: str | None) -> Iterator[tuple[LocalInfrastructure, Endpoints, Path]]:
    with tempfile.TemporaryDirectory(prefix="smart-replay-") as tmp:
        root = Path(data_dir or tmp)
        local = LocalInfrastructure(root)
        try:
            yield local, local.start(), root
        finally:
            local.stop()


async def history(nc: NATS, urls: Endpoints, root: Path, args: argparse.Namespace) -> int:
    """Generate the history, or reuse the one this data directory already holds."""
    wanted = {"events": args.events, "scale": args.scale, "factor": args.factor}
    marker = root / MARKER
    if marker.exists() and json.loads(marker.read_text())["wanted"] == wanted:
        return int(json.loads(marker.read_text())["events"])
    scale = SCALES[args.scale]
    chosen = tenants(scale, args.factor)
    months = months_for(args.events, len(chosen), scale.desa)
    print(
        f"Generating ~{args.events:,} events: {len(chosen)} kecamatan in "
        f"{len({t.kab for t in chosen})} kabupaten, {months} months ({args.scale} x{args.factor})"
    )
    started = time.monotonic()
    env = {
        **os.environ,
        "SMART_NATS_URL": urls.nats_url,
        "SMART_DATABASE_URL": urls.database_url,
        "SMART_SECRET_KEY": SECRET,
    }
    cmd = [
        "-m",
        "bench.generate",
        "--scale",
        args.scale,
        "--factor",
        str(args.factor),
        "--events",
        str(args.events),
    ]
    child = await asyncio.create_subprocess_exec(sys.executable, *cmd, env=env)
    if await child.wait():
        raise SystemExit("the generator failed")
    count = sum(
        [int((await nc.jetstream().stream_info(n)).state.messages) for n in await streams(nc)]
    )
    print(f"  generated {count:,} events in {time.monotonic() - started:,.0f} s")
    marker.write_text(json.dumps({"wanted": wanted, "events": count}))
    return count


async def streams(nc: NATS) -> list[str]:
    names = await EventStore(nc).stream_names()
    return [n for n in names if n.startswith(STREAM_PREFIX)]


async def _count(nc: NATS, name: str) -> tuple[int, float]:
    js = nc.jetstream()
    n = int((await js.stream_info(name)).state.messages)
    done, seen = asyncio.Event(), 0

    async def count(msg: object) -> None:
        nonlocal seen
        seen += 1
        if seen >= n:
            done.set()

    started = time.perf_counter()
    sub = await js.subscribe(
        f"smart.{name.removeprefix(STREAM_PREFIX)}.>",
        stream=name,
        cb=count,
        ordered_consumer=True,
        pending_msgs_limit=-1,
        pending_bytes_limit=-1,
    )
    await done.wait()
    elapsed = time.perf_counter() - started
    await sub.unsubscribe()
    return n, elapsed


async def raw_read(nc: NATS) -> tuple[int, float]:
    """The ceiling: every stream read by a bare ordered consumer that only counts."""
    total, elapsed = 0, 0.0
    for name in await streams(nc):
        n, seconds = await _count(nc, name)
        total, elapsed = total + n, elapsed + seconds
    return total, elapsed


class Sampler:
    """Progress across every stream; RSS at given fractions of the whole replay."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.last = total, 0, 0
        self.stream = ""
        self.samples: list[tuple[float, float]] = []
        self.started = time.perf_counter()

    def __call__(self, p: Progress) -> None:
        if p.stream != self.stream:
            self.stream, self.last = p.stream, 0
        self.done += p.events - self.last
        self.last = p.events
        fraction = self.done / self.total
        while len(self.samples) < len(SAMPLES) and fraction >= SAMPLES[len(self.samples)]:
            self.samples.append((SAMPLES[len(self.samples)], rss_mb()))
        rate = self.done / (time.perf_counter() - self.started)
        eta = (self.total - self.done) / rate if rate else 0
        print(
            f"\r  {self.done:,}/{self.total:,}  {rate:,.0f} events/s  ETA {eta:,.0f} s   ",
            end="",
            flush=True,
        )


@asynccontextmanager
async def with_history(
    args: argparse.Namespace,
) -> AsyncIterator[tuple[LocalInfrastructure, Endpoints, NATS, asyncpg.Pool, int]]:
    """The servers, a connection to each, and the history `args` ask for (its event count)."""
    with infrastructure(args.data_dir) as (local, endpoints, root):
        nc = await nats.connect(endpoints.nats_url)
        pool = await asyncpg.create_pool(endpoints.database_url, min_size=1, max_size=8)
        assert pool is not None
        try:
            yield local, endpoints, nc, pool, await history(nc, endpoints, root, args)
        finally:
            await pool.close()
            await nc.drain()


async def main(args: argparse.Namespace) -> None:
    async with with_history(args) as (local, endpoints, nc, pool, total):
        print(f"History: {total:,} events in {len(await streams(nc))} kabupaten streams")
        cpu, machine, servers = cpu_s(), machine_s(), servers_cpu_s(local)
        read_n, read_s = await raw_read(nc)
        ceiling, read_cpu = read_n / read_s, cpu_s() - cpu
        read_busy = machine_s()[0] - machine[0]
        read_servers = [b - a for a, b in zip(servers, servers_cpu_s(local), strict=True)]
        print(f"  raw ordered-consumer read (no processing)   {ceiling:>10,.0f} events/s")
        settings = Settings(
            nats_url=endpoints.nats_url, database_url=endpoints.database_url, secret_key=SECRET
        )
        sides = readsides_for(settings, args.service, nc, pool)
        workers = Workers(
            args.workers,
            functools.partial(readsides_for, settings, args.service),
            [endpoints.nats_url],
            endpoints.database_url,
        )
        for side in sides:
            await side.migrate()
        sampler, before = Sampler(read_n), rss_mb()
        started, cpu, machine = time.perf_counter(), cpu_s(), machine_s()
        servers = servers_cpu_s(local)
        await rebuild_all(sides, progress=sampler, batch=args.batch, workers=workers)
        rate = read_n / (time.perf_counter() - started)
        replay_cpu = cpu_s() - cpu
        busy, idle = (now - then for now, then in zip(machine_s(), machine, strict=True))
        replay_servers = [b - a for a, b in zip(servers, servers_cpu_s(local), strict=True)]
        print(
            f"\n  replay into {', '.join(s.service for s in sides)} read models"
            f"   {rate:>10,.0f} events/s"
        )
        # The machine's speed drifts (a shared VM): the raw read again, and the faster of
        # the two is the ceiling.
        again_n, again_s = await raw_read(nc)
        print(f"  raw ordered-consumer read again            {again_n / again_s:>10,.0f} events/s")
        ceiling = max(ceiling, again_n / again_s)
        print(f"  -> replay vs raw read ceiling: {rate / ceiling:.2f} (target >= 0.5)")
        print(
            f"  client CPU per event (servers not counted): raw read"
            f" {read_cpu / read_n * 1e6:,.0f} us, replay {replay_cpu / read_n * 1e6:,.0f} us"
        )
        print(
            f"  machine CPU per event (NATS, PostgreSQL and all): raw read"
            f" {read_busy / read_n * 1e6:,.0f} us, replay {busy / read_n * 1e6:,.0f} us"
            f" ({busy / (busy + idle):.0%} of {os.cpu_count()} cores busy)"
        )
        for name, raw_s, replay_s in zip(
            ("NATS", "PostgreSQL"), read_servers, replay_servers, strict=True
        ):
            print(
                f"    of which {name}: raw read {raw_s / read_n * 1e6:,.0f} us,"
                f" replay {replay_s / read_n * 1e6:,.0f} us"
            )
        marks = "  ".join(f"{int(f * 100)}%: {mb:,.0f} MB" for f, mb in sampler.samples)
        print(
            f"  RSS before: {before:,.0f} MB  {marks}  peak: this process "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB,"
            f" largest child process (replay worker or generator) "
            f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:,.0f} MB"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=PAGE)
    parser.add_argument("--workers", type=int, default=2, help="replay processes")
    parser.add_argument(
        "--service", action="append", help="replay only this service's read models (repeatable)"
    )
    parser.add_argument("--data-dir", default=None, help="keep the history here and reuse it")
    asyncio.run(main(parser.parse_args()))
