"""Operator commands on a running deployment: status, dead letters, replay, verify."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import nats
from nats.aio.client import Client as NATS
from nats.js.errors import NotFoundError

from services.registry import available_specs
from shared.audit import Verdict, verify_read_models, verify_stream
from shared.config import Settings
from shared.db import create_pool
from shared.eventstore import EventStore
from shared.readside import ReadSide
from shared.rebuild import Progress, rebuild
from shared.tenancy import STREAM_PREFIX, kab_of_stream, stream_name


@dataclass
class Ops:
    settings: Settings
    nc: NATS
    pool: asyncpg.Pool
    store: EventStore

    def readsides(self, only: list[str] | None = None) -> list[ReadSide]:
        return [
            ReadSide(
                service=spec.name,
                schema=spec.schema,
                migrations=spec.migrations,
                projections=spec.projections(self.settings),
                nc=self.nc,
                pool=self.pool,
                store=self.store,
                kabupaten=self.settings.served_kabupaten(),
            )
            for spec in available_specs(only)
        ]

    async def kabupaten(self) -> list[str]:
        names = await self.store.stream_names()
        return [kab_of_stream(n) for n in names if n.startswith(STREAM_PREFIX)]


@contextlib.asynccontextmanager
async def connect(settings: Settings) -> AsyncIterator[Ops]:
    nc = await nats.connect(servers=settings.nats_servers(), name="smart-cli")
    pool = await create_pool(settings.database_url or "", max_size=4)
    try:
        yield Ops(settings, nc, pool, EventStore(nc))
    finally:
        await pool.close()
        await nc.close()


async def status(settings: Settings) -> int:
    async with connect(settings) as ops:
        print("Streams")
        for info in await ops.store.js.streams_info():
            state = info.state
            print(f"  {info.config.name:<14} {state.messages:>9} events  last seq {state.last_seq}")
        print("Projectors")
        kabs = await ops.kabupaten()
        for readside in ops.readsides():
            await readside.migrate()
            for projection in readside.projections:
                for kab in kabs:
                    stream = stream_name(kab)
                    pos = await readside.checkpoints.position(projection.name, stream)
                    durable = f"{readside.service}__{projection.name}"
                    try:
                        info = await ops.store.js.consumer_info(stream, durable)
                        lag = f"{int(info.num_pending or 0) + int(info.num_ack_pending or 0)}"
                    except NotFoundError:
                        lag = "not running"
                    print(f"  {durable:<34} {stream}  at {pos:<8} pending {lag}")
            letters = await readside.checkpoints.dead_letters()
            print(f"  {readside.service}: {len(letters)} open dead letters")
    return 0


async def dlq(settings: Settings, action: str, ident: int | None) -> int:
    async with connect(settings) as ops:
        for readside in ops.readsides():
            await readside.migrate()
            for row in await readside.checkpoints.dead_letters():
                if action == "list":
                    print(
                        f"{readside.service}#{row['id']}  {row['projection']} {row['stream']}"
                        f" seq {row['seq']} {row['event_type']} x{row['attempts']}:"
                        f" {row['error']}"
                    )
                elif ident is None or row["id"] == ident:
                    try:
                        await readside.retry_dead_letter(row["id"])
                        print(f"{readside.service}#{row['id']} applied")
                    except Exception as exc:
                        print(f"{readside.service}#{row['id']} failed again: {exc}")
                        return 1
    return 0


def _show(progress: Progress) -> None:
    eta = (progress.end - progress.position) / progress.rate if progress.rate else 0.0
    sys.stdout.write(
        f"\r  {progress.stream}: {progress.position}/{progress.end}"
        f"  {progress.rate:,.0f} events/s  ETA {eta:,.0f}s   "
    )
    sys.stdout.flush()


async def replay(settings: Settings, services: list[str] | None) -> int:
    async with connect(settings) as ops:
        for readside in ops.readsides(services):
            print(f"{readside.service}: rebuilding into a shadow schema")
            await readside.migrate()
            await rebuild(readside, switch=True, progress=_show)
            print(f"\n{readside.service}: switched to the rebuilt read models")
    return 0


async def verify(
    settings: Settings,
    services: list[str] | None,
    kabupaten: list[str] | None = None,
    kept: dict[int, str] | None = None,
) -> int:
    """Chains, gaps and signed checkpoints of every stream, then every read model."""
    bad = 0
    async with connect(settings) as ops:
        secret = settings.secret_key.get_secret_value() or None
        for kab in await ops.kabupaten():
            if kabupaten and kab not in kabupaten:
                continue
            bad += _report(await verify_stream(ops.store, kab, secret=secret, kept_digests=kept))
        for readside in ops.readsides(services):
            await readside.migrate()
            bad += _report(await verify_read_models(readside))
    print("VERIFIED: no discrepancy" if not bad else f"FAILED: {bad} check(s) found discrepancies")
    return 1 if bad else 0


def _report(verdict: Verdict) -> int:
    print(f"{'OK  ' if verdict.ok else 'FAIL'} {verdict.scope} ({verdict.checked} checked)")
    for problem in verdict.problems:
        print(f"     - {problem}")
    return 0 if verdict.ok else 1
