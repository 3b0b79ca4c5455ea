"""`python -m bench.verify --events 1000000`: what `smart verify` costs on a synthetic history
(the one `bench.replay` makes and keeps with `--data-dir`): the hash chains of every stream,
then every service's read models rebuilt and compared, in events/s and as a ratio of the
raw read ceiling of the same run, one process against `--workers`."""

from __future__ import annotations

import argparse
import asyncio
import functools
import time

from bench.generate import SCALES
from bench.replay import SECRET, raw_read, rss_mb, streams, with_history
from services.cli.ops import readsides_for
from shared.audit.verdict import verify_all_read_models, verify_streams
from shared.config import Settings
from shared.db import DbConn
from shared.log.eventstore import EventStore
from shared.readside.pages import PAGE, positions
from shared.readside.rebuild import rebuild_all
from shared.readside.replay_workers import Workers
from shared.readside.service import ReadSide
from shared.tenancy import kab_of_stream, stream_name


async def main(args: argparse.Namespace) -> None:
    async with with_history(args) as (_, endpoints, nc, pool, total):
        kabs = [kab_of_stream(name) for name in await streams(nc)]
        settings = Settings(
            nats_url=endpoints.nats_url, database_url=endpoints.database_url, secret_key=SECRET
        )
        sides = readsides_for(settings, None, nc, pool)
        factory = functools.partial(readsides_for, settings, None)

        def workers(count: int) -> Workers:
            return Workers(count, factory, [endpoints.nats_url], endpoints.database_url)

        store = EventStore(nc)
        ends = {stream_name(kab): await store.last_seq(kab) for kab in kabs}
        for side in sides:
            await side.migrate()
        async with pool.acquire() as conn:
            behind = [side for side in sides if await _behind(conn, side, ends)]
        if behind:  # the live read models verify compares with
            print(f"Projecting the history into {', '.join(s.service for s in behind)} first")
            await rebuild_all(behind, batch=PAGE, workers=workers(args.workers))
        print(f"History: {total:,} events in {len(kabs)} kabupaten streams")
        read_n, read_s = await raw_read(nc)
        ceiling = read_n / read_s
        print(f"  raw ordered-consumer read (no processing)   {ceiling:>10,.0f} events/s")
        for count in sorted({1, args.workers}):
            started = time.perf_counter()
            problems = 0
            async for verdict in verify_streams(
                store,
                kabs,
                secret=SECRET,
                processes=count,
                nats_servers=[endpoints.nats_url],
            ):
                problems += len(verdict.problems)
            chains = time.perf_counter() - started
            started = time.perf_counter()
            verdicts = await verify_all_read_models(sides, workers=workers(count))
            models = time.perf_counter() - started
            problems += sum(len(v.problems) for v in verdicts)
            print(
                f"  {count} process(es): log chains {chains:,.0f} s"
                f" ({read_n / chains:,.0f} events/s, {read_n / chains / ceiling:.2f} of the raw"
                f" read), read models {models:,.0f} s ({read_n / models:,.0f} events/s,"
                f" {read_n / models / ceiling:.2f}); {problems} discrepancies;"
                f" RSS {rss_mb():,.0f} MB"
            )


async def _behind(conn: DbConn, side: ReadSide, ends: dict[str, int]) -> bool:
    """Whether a projection of the service's live schema has not reached a stream's end."""
    at = await positions(conn, side.schema)
    return any(
        at.get((p.name, stream), 0) < end for p in side.projections for stream, end in ends.items()
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2, help="processes to compare with one")
    parser.add_argument("--data-dir", default=None, help="keep the history here and reuse it")
    asyncio.run(main(parser.parse_args()))
