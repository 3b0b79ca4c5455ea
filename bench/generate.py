"""`python -m bench.generate`: a synthetic, rule-abiding history at kabupaten, province or
national proportions, appended through the real event store with intact hash chains."""

from __future__ import annotations

import argparse
import asyncio
import math
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
from nats.aio.client import Client as NATS

from bench.history import HOUSEHOLDS_PER_DESA, Kecamatan
from bench.ledger import Batch
from services.distribution.personal import KEY_SCHEMA
from shared.clock import jakarta_today
from shared.config import Settings
from shared.keys import KeyStore
from shared.log.canonical import GENESIS_HASH
from shared.log.envelope import Metadata
from shared.log.eventstore import MAX_EVENTS_PER_APPEND, EventStore
from shared.tenancy import Tenant

EVENTS_PER_KECAMATAN_MONTH = 67
FIRST_KAB = 9100


@dataclass(frozen=True)
class Scale:
    """Real region counts (shared/data/README.md): kabupaten, kecamatan, desa per kecamatan."""

    kabupaten: int
    kecamatan: int
    desa: int


SCALES = {
    "kabupaten": Scale(1, 18, 11),
    "province": Scale(38, 666, 13),
    "nation": Scale(514, 7285, 11),
}


def tenants(scale: Scale, factor: float, first_kab: int = FIRST_KAB) -> list[Tenant]:
    """`factor` of the scale's kecamatan, spread over as many kabupaten as in reality."""
    kecs = max(1, round(scale.kecamatan * factor))
    kabs = max(1, min(kecs, round(scale.kabupaten * factor)))
    per_kab = math.ceil(kecs / kabs)
    if per_kab > 98:
        raise ValueError("more than 98 kecamatan per kabupaten: raise the factor's kabupaten")
    return [
        Tenant(f"{first_kab + i // per_kab}", f"{first_kab + i // per_kab}{i % per_kab + 1:02d}")
        for i in range(kecs)
    ]


def months_for(events: int, kecamatan: int, desa: int) -> int:
    """How many months of history make about `events` events."""
    initial = kecamatan * (desa * HOUSEHOLDS_PER_DESA + 1)
    return max(1, math.ceil((events - initial) / (kecamatan * EVENTS_PER_KECAMATAN_MONTH)))


def month_starts(months: int, today: date) -> list[date]:
    """The `months` whole months before today's, oldest first."""
    index = today.year * 12 + today.month - 1 - months
    return [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(months)]


class Appender:
    """Appends batches per aggregate in order, following each aggregate's chain."""

    def __init__(self, store: EventStore, concurrency: int = 256) -> None:
        self.store = store
        self.heads: dict[str, tuple[int, int, str]] = {}
        self.slots = asyncio.Semaphore(concurrency)
        self.appended = 0

    async def append(self, batch: Batch) -> None:
        at = datetime(batch.on.year, batch.on.month, batch.on.day, 3, tzinfo=UTC)
        events = batch.events
        for start in range(0, len(events), MAX_EVENTS_PER_APPEND):
            chunk = events[start : start + MAX_EVENTS_PER_APPEND]
            last, version, prev = self.heads.get(batch.ref.subject, (0, 0, GENESIS_HASH))
            cid = uuid.uuid4().hex
            meta = Metadata(command_id=cid, correlation_id=cid, actor="bench")
            out = await self.store.append(
                batch.ref,
                chunk,
                meta,
                expected_last_seq=last,
                version=version,
                prev_hash=prev,
                now=at,
                occurred_at=at,
            )
            tail = out.events[-1]
            self.heads[batch.ref.subject] = (tail.seq, version + len(chunk), tail.envelope.hash)
            self.appended += len(chunk)

    async def append_all(self, batches: list[Batch]) -> None:
        """Each aggregate's batches in order; aggregates concurrently."""
        by_subject: dict[str, list[Batch]] = defaultdict(list)
        for batch in batches:
            if batch.events:
                by_subject[batch.ref.subject].append(batch)

        async def one(chain: list[Batch]) -> None:
            async with self.slots:
                for batch in chain:
                    await self.append(batch)

        await asyncio.gather(*(one(chain) for chain in by_subject.values()))


async def store_keys(pool: asyncpg.Pool, secret: str, sims: list[Kecamatan], key_dir: Path) -> None:
    """The households' data keys, wrapped, where the distribution service keeps them."""
    keys = {hid: key for sim in sims for hid, key in sim.keys}
    for sim in sims:
        sim.keys.clear()
    if keys:
        await KeyStore(pool, KEY_SCHEMA, secret, key_dir).load(keys)


async def generate(
    nc: NATS,
    pool: asyncpg.Pool,
    tenants_: list[Tenant],
    *,
    months: int,
    secret: str,
    desa: int = 13,
    seed: int = 1,
    limit: int | None = None,
    progress: Callable[[int, float], None] | None = None,
    key_dir: Path | None = None,
) -> int:
    """Append the history of `months` months for every tenant (stopping after the month
    that reaches `limit` events); returns the number of events appended. The households'
    keys go where the settings keep them unless `key_dir` says otherwise."""
    key_dir = key_dir or Settings().keys_path()
    appender = Appender(EventStore(nc))
    sims = [Kecamatan(t, desa, secret, seed) for t in tenants_]
    starts = month_starts(months, jakarta_today())
    started = time.monotonic()
    await appender.append_all([sim.configure(starts[0]) for sim in sims])
    for first in starts:
        batches = [b for sim in sims for b in sim.month(first.year, first.month)]
        await store_keys(pool, secret, sims, key_dir)
        await appender.append_all(batches)
        if progress:
            progress(appender.appended, time.monotonic() - started)
        if limit and appender.appended >= limit:
            break
    return appender.appended


def _show(count: int, elapsed: float) -> None:
    print(f"\r  generated {count:,} events  {count / elapsed:,.0f} events/s   ", end="", flush=True)


async def _main(args: argparse.Namespace) -> None:
    import nats  # noqa: PLC0415

    settings = Settings()
    scale = SCALES[args.scale]
    chosen = tenants(scale, args.factor)
    months = args.months or months_for(args.events, len(chosen), scale.desa)
    nc = await nats.connect(settings.nats_servers())
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=4)
    assert pool is not None
    try:
        secret = settings.secret_key.get_secret_value() or "bench-secret"
        n = await generate(
            nc,
            pool,
            chosen,
            months=months,
            secret=secret,
            desa=scale.desa,
            limit=args.events,
            progress=_show,
        )
        print(f"\n{n:,} events for {len(chosen)} kecamatan over {months} months")
    finally:
        await pool.close()
        await nc.drain()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=0)
    asyncio.run(_main(parser.parse_args()))
