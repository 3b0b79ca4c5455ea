"""Operator commands on a running deployment: status, dead letters, replay (verify: `verify.py`)."""

from __future__ import annotations

import argparse
import contextlib
import functools
import getpass
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
from nats.aio.client import Client as NATS
from nats.js.errors import NotFoundError

from services.cli.context import CannotRun
from services.cli.reach import reach_db, reach_nats
from services.registry import available_specs
from shared.audit.checkpoints import Checkpointer
from shared.audit.refusals import standing
from shared.config import Settings
from shared.db import DbConn, advisory_key, scope_rows
from shared.events.audit import LogCheckpointed, checkpoint_ref
from shared.log.eventstore import EventStore
from shared.log.reader import read_pages
from shared.readside.pages import Progress, Target, catch_up_all, positions
from shared.readside.rebuild import rebuild_all
from shared.readside.replay_workers import Workers
from shared.readside.routing import Routes
from shared.readside.service import ReadSide
from shared.tenancy import STREAM_PREFIX, Tenant, kab_of_stream, stream_name, undot


def readsides_for(
    settings: Settings, only: list[str] | None, nc: NATS, pool: asyncpg.Pool
) -> list[ReadSide]:
    """The services' read sides on these connections (top level: replay workers use it)."""
    return [
        ReadSide(
            service=spec.name,
            schema=spec.schema,
            migrations=spec.migrations,
            projections=spec.projections(settings),
            nc=nc,
            pool=pool,
            store=EventStore(nc),
            kabupaten=settings.served_kabupaten(),
        )
        for spec in available_specs(only)
    ]


@dataclass
class Ops:
    settings: Settings
    nc: NATS
    pool: asyncpg.Pool
    store: EventStore

    def readsides(self, only: list[str] | None = None) -> list[ReadSide]:
        return readsides_for(self.settings, only, self.nc, self.pool)

    async def kabupaten(self) -> list[str]:
        names = await self.store.stream_names()
        return [kab_of_stream(n) for n in names if n.startswith(STREAM_PREFIX)]


@contextlib.asynccontextmanager
async def connect(settings: Settings) -> AsyncIterator[Ops]:
    """Both servers within seconds (`services.cli.reach`), or `CannotRun` (exit 2)."""
    nc = await reach_nats(settings.nats_servers(), "smart-cli")
    try:
        pool = await reach_db(settings.database_url)
    except BaseException:
        await nc.close()
        raise
    try:
        yield Ops(settings, nc, pool, EventStore(nc))
    finally:
        await pool.close()
        await nc.close()


async def status(settings: Settings) -> int:
    """Streams, projectors, dead letters and the audit signer of each log; 1 when the signer
    refuses a log (it does not verify), else 0."""
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
        refused = await _audit_signer(ops, kabs)
    return 1 if refused else 0


async def _audit_signer(ops: Ops, kabs: list[str]) -> int:
    """Each served log's last checkpoint and whether the signer refuses it; how many it
    refuses. With the deployment secret, only the audit key's own records are taken."""
    print("Audit signer")
    served = ops.settings.served_kabupaten()
    kabs = [kab for kab in kabs if served is None or kab in served]
    secret = ops.settings.secret_key.get_secret_value()
    checkpointer = Checkpointer(ops.store, secret) if secret else None
    refused = 0
    for kab in kabs:
        trust = checkpointer.ours if checkpointer else None
        now = await standing(ops.store, kab, trust)
        refused += now.refused is not None
        last = await ops.store.last_of(checkpoint_ref(kab))
        signed = last.event if last is not None else None
        where = (
            f"last checkpoint up to seq {signed.upto_seq}"
            if isinstance(signed, LogCheckpointed)
            else "no checkpoint yet"
        )
        print(f"  {stream_name(kab):<14} {where}; {now.describe(kab)}")
    return refused


def add_checkpoints_options(parser: argparse.ArgumentParser) -> None:
    """`smart checkpoints resume`'s options (the parser lives in services/cli/main.py)."""
    parser.add_argument("action", choices=["resume"])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--kab", required=True, help="the kabupaten whose log was refused")
    parser.add_argument("--upto", type=int, default=None, help="accept discrepancies up to it")
    parser.add_argument("--note", required=True, help="what was found and done (kept in the log)")


async def resume_checkpoints(settings: Settings, kab: str, upto: int | None, note: str) -> int:
    """`smart checkpoints resume`: an operator resumes the signing of a refused log's
    checkpoints, accepting its discrepancies up to `upto` (recorded in the log, signed)."""
    secret = settings.secret_key.get_secret_value()
    if not secret:
        raise CannotRun("no deployment secret: the resumption is signed with the audit key")
    kab = undot(kab)
    async with connect(settings) as ops:
        if not await ops.store.has_stream(kab):
            raise CannotRun(f"no log for kabupaten {kab}")
        actor = f"operator:{getpass.getuser()}"
        try:
            accepted = await Checkpointer(ops.store, secret).resume(kab, upto, note, actor)
        except ValueError as exc:
            raise CannotRun(str(exc)) from None
    print(f"{stream_name(kab)}: checkpoints resume; discrepancies up to seq {accepted} accepted")
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


def show_progress(progress: Progress) -> None:
    eta = (progress.end - progress.position) / progress.rate if progress.rate else 0.0
    sys.stdout.write(
        f"\r  {progress.stream}: {progress.position}/{progress.end}"
        f"  {progress.rate:,.0f} events/s  ETA {eta:,.0f}s   "
    )
    sys.stdout.flush()


def add_replay_options(parser: argparse.ArgumentParser) -> None:
    """`smart replay`'s scope options (the parser lives in services/cli/main.py)."""
    parser.add_argument("--kab", default=None, help="only this kabupaten's rows, in place")
    parser.add_argument("--kec", default=None, help="only this kecamatan's rows, in place")
    parser.add_argument(
        "--from",
        dest="from_seq",
        type=int,
        default=None,
        metavar="SEQ",
        help="catch the live read models up from this stream position",
    )
    parser.add_argument("--workers", type=int, default=1, help="processes for a full replay")


async def replay(
    settings: Settings,
    services: list[str] | None,
    kab: str | None = None,
    kec: str | None = None,
    from_seq: int | None = None,
    workers: int = 1,
) -> int:
    """Rebuild read models: all of them into shadow schemas then switch (reading each
    stream once for every service), or one kabupaten's / kecamatan's rows in place, or the
    live schema caught up from a position."""
    kab, kec = undot(kab) if kab else None, undot(kec) if kec else None
    if kec:
        kab = kecamatan_arg(kec, kab).kab
    async with connect(settings) as ops:
        readsides = ops.readsides(services)
        for readside in readsides:
            await readside.migrate()
        if kab and not await ops.store.has_stream(kab):
            raise CannotRun(f"no log for kabupaten {kab}: nothing to replay")
        if from_seq is not None:
            if kec:
                raise CannotRun("--from replays whole streams; --kec always replays from 1")
            return await _replay_from(ops, readsides, from_seq, kab)
        if kab:
            return await _replay_tenant(readsides, kab, kec)
        if settings.served_kabupaten() is not None:
            raise CannotRun(
                "a full replay rebuilds every kabupaten's rows, but SMART_KABUPATEN limits this"
                " process to some: unset it, or replay one with --kab"
            )
        names = ", ".join(r.service for r in readsides)
        print(f"{names}: rebuilding into shadow schemas (the live ones keep answering)")
        await rebuild_all(
            readsides, progress=show_progress, workers=workers_for(settings, services, workers)
        )
        print(f"\n{names}: switched to the rebuilt read models")
    return 0


def workers_for(settings: Settings, services: list[str] | None, count: int) -> Workers:
    """Processes that project whole kabupaten streams, each on its own connections."""
    factory = functools.partial(readsides_for, settings, services)
    return Workers(count, factory, settings.nats_servers(), settings.database_url or "")


async def tenant_tables(conn: DbConn, readside: ReadSide) -> list[str]:
    tables = [t for p in readside.projections for t in p.tables]
    scoped = await conn.fetch(
        "select table_name from information_schema.columns where table_schema = $1"
        " and column_name in ('kab', 'kec') group by table_name having count(*) = 2",
        readside.schema,
    )
    unscoped = sorted(set(tables) - {r["table_name"] for r in scoped})
    if unscoped:
        raise CannotRun(
            f"{readside.service}: {', '.join(unscoped)} have no kab/kec columns, so their"
            " rows cannot be replayed per tenant; replay the whole service instead"
        )
    return tables


async def _replay_tenant(readsides: list[ReadSide], kab: str, kec: str | None) -> int:
    """Under each service's switch lock: delete the tenant's rows, project its subjects again
    up to the live checkpoints, commit. Queries see the old rows until the commit; other
    tenants' rows are not touched."""
    scope, stream = Tenant(kab, kec).subjects if kec else f"smart.{kab}.>", stream_name(kab)
    async with contextlib.AsyncExitStack() as stack:
        targets = []
        for side in readsides:
            conn = await stack.enter_async_context(side.pool.acquire())
            tables = await tenant_tables(conn, side)
            await stack.enter_async_context(conn.transaction())
            await conn.execute(
                "select pg_advisory_xact_lock($1)", advisory_key("switch", side.schema)
            )
            live = await positions(conn, side.schema)
            ceilings = {(p.name, stream): live.get((p.name, stream), 0) for p in side.projections}
            where, args = scope_rows(kab, kec)
            for table in tables:
                await conn.execute(f"delete from {side.schema}.{table} t {where}", *args)
            targets.append(Target(side, side.schema, conn, ceilings, floors={}))
        print(f"replaying {scope} into {', '.join(r.service for r in readsides)}")
        count = await catch_up_all(targets, kab, show_progress, subjects=scope)
    print(f"\n{count} events replayed; the other tenants' rows were not touched")
    return 0


async def _replay_from(ops: Ops, readsides: list[ReadSide], seq: int, kab: str | None) -> int:
    """Apply to the live schemas, under their switch locks, the events from `seq` on that
    their checkpoints have not seen. The projections fold sums, so an event at or below a
    checkpoint is never applied again (that makes it idempotent: rows come out as the
    projectors make them); a start that would skip an event a projection has not applied
    yet is refused."""
    for k in [kab] if kab else await ops.kabupaten():
        stream = stream_name(k)
        async with contextlib.AsyncExitStack() as stack:
            targets = []
            for side in readsides:
                conn = await stack.enter_async_context(side.pool.acquire())
                await stack.enter_async_context(conn.transaction())
                await conn.execute(
                    "select pg_advisory_xact_lock($1)", advisory_key("switch", side.schema)
                )
                targets.append(
                    Target(side, side.schema, conn, floors=await positions(conn, side.schema))
                )
            await _refuse_gap(ops, targets, k, seq)
            for target in targets:
                floors = target.floors or {}
                for p in target.readside.projections:
                    floors[(p.name, stream)] = max(floors.get((p.name, stream), 0), seq - 1)
            count = await catch_up_all(targets, k, show_progress)
        print(f"\n{stream}: {count} events read from {seq}; nothing applied twice")
    return 0


async def _refuse_gap(ops: Ops, targets: list[Target], kab: str, seq: int) -> None:
    """Between a projection's checkpoint and `seq`, no event may feed it."""
    stream = stream_name(kab)
    done = {
        (t.readside.service, p.name): (t.floors or {}).get((p.name, stream), 0)
        for t in targets
        for p in t.readside.projections
    }
    low = min(done.values(), default=seq) + 1
    if low >= seq:
        return
    routes = Routes()
    async with contextlib.aclosing(
        read_pages(ops.nc, stream, f"smart.{kab}.>", low, 5000)
    ) as pages:
        async for page in pages:
            for t in targets:
                for p in t.readside.projections:
                    at = done[(t.readside.service, p.name)]
                    hit = next(
                        (e.seq for e in routes.relevant(p, kab, page) if at < e.seq < seq), None
                    )
                    if hit is not None:
                        raise CannotRun(
                            f"--from {seq}: {t.readside.service}.{p.name} has not applied {hit}"
                            f" yet (it is at {at}); start at {at + 1} or earlier"
                        )
            if page[-1].seq >= seq - 1:
                return


def kecamatan_arg(kec: str, kab: str | None = None) -> Tenant:
    """The tenant a `--kec` names (in `--kab` when given), or why it names none."""
    try:
        return Tenant(kab or kec[:4], kec)
    except ValueError as exc:
        raise CannotRun(f"--kec {kec}: {exc}") from None
