"""What `smart verify` checks: the log's hash chains and the read models against the log."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
from collections import deque
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

import nats

from shared.audit.chain import ChainVerifier, Discrepancy
from shared.audit.checkpoints import RunningDigest, public_key_hex, signature_ok, signing_key
from shared.audit.logdigest import KeptCheck, KeptDigest
from shared.db import DbConn, advisory_key, migrate, scope_rows, table_digest
from shared.events.audit import LogCheckpointed, checkpoint_ref
from shared.log.envelope import MalformedEvent
from shared.log.eventstore import EventStore
from shared.log.reader import StoredEvent, read_pages
from shared.readside.pages import (
    PAGE,
    ProgressFn,
    Target,
    catch_up,
    catch_up_all,
    positions,
    served_kabupaten,
    unhurried_commits,
)
from shared.readside.replay_workers import Workers, start_method
from shared.readside.service import ReadSide
from shared.tenancy import Tenant, stream_name


@dataclass
class Verdict:
    scope: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    matches: list[str] = field(default_factory=list)
    """The digests kept outside that the log still matches (`KeptCheck`)."""

    @property
    def ok(self) -> bool:
        return not self.problems


DIGEST_WINDOW = 200_000


@dataclass
class _Digests:
    """The running digest, remembered for recent sequences so checkpoints can be checked."""

    running: RunningDigest = field(default_factory=RunningDigest)
    recent: dict[int, str] = field(default_factory=dict)
    order: deque[int] = field(default_factory=deque)

    def feed(self, event: StoredEvent) -> None:
        self.running.feed(event)
        self.recent[event.seq] = self.running.digest
        self.order.append(event.seq)
        if len(self.order) > DIGEST_WINDOW:
            self.recent.pop(self.order.popleft(), None)


def _check_checkpoint(
    kab: str, event: StoredEvent, digests: _Digests, public_key: str | None
) -> list[str]:
    cp = event.event
    if not isinstance(cp, LogCheckpointed):
        return []
    name = f"checkpoint seq {event.seq} (event {event.envelope.event_id})"
    problems = []
    expected = digests.recent.get(cp.upto_seq)
    if expected is None:
        problems.append(f"{name}: its position {cp.upto_seq} is too far back to check")
    elif expected != cp.digest:
        problems.append(f"{name}: the log up to {cp.upto_seq} no longer has the signed digest")
    if not signature_ok(kab, cp):
        problems.append(f"{name}: the signature does not match")
    if public_key is not None and cp.public_key != public_key:
        problems.append(f"{name}: signed with a key that is not this deployment's")
    return problems


async def verify_stream(
    store: EventStore,
    kab: str,
    *,
    secret: str | None = None,
    kept_digests: dict[int, str] | None = None,
    kept: Sequence[KeptDigest] = (),
) -> Verdict:
    """Every aggregate's hash chain, the continuity of the stream's sequences, the signed
    checkpoints in the log, and digests kept outside it (`kept`, those of this kabupaten;
    or `{seq: digest}`)."""
    stream = stream_name(kab)
    public = public_key_hex(signing_key(secret)) if secret else None
    verifier, digests = ChainVerifier(audit_key=public), _Digests()
    problems: list[str] = []
    given = [KeptDigest(kab, seq, d) for seq, d in (kept_digests or {}).items()]
    outside = KeptCheck.of([*given, *(k for k in kept if k.kab == kab)])
    checkpoints = checkpoint_ref(kab).subject
    async for page in read_pages(store.nc, stream, f"smart.{kab}.>", 1, batch=2000):
        verifier.feed(page)
        for event in page:
            try:
                digests.feed(event)
                if event.subject == checkpoints:
                    problems += _check_checkpoint(kab, event, digests, public)
            except MalformedEvent as exc:
                problems.append(f"seq {event.seq} ({event.subject}): {exc}")
            if event.seq in outside.waiting:
                outside.reached(event.seq, digests.running.digest)
    verifier.finish(await store.last_seq(kab))
    differing, matching = outside.finish()
    problems = [str(p) for p in verifier.problems] + problems + differing
    return Verdict(f"log {stream}", verifier.checked, problems, verifier.notes(), matching)


async def verify_streams(
    store: EventStore,
    kabs: list[str],
    *,
    secret: str | None = None,
    kept: Sequence[KeptDigest] = (),
    processes: int = 1,
    nats_servers: list[str] | None = None,
) -> AsyncIterator[Verdict]:
    """`verify_stream` of each kabupaten, the verdicts in the order given; with several
    `processes` (and the `nats_servers` for their own connections), that many streams are
    checked at once. Checking chains is CPU work: one process did 7.5k events/s of a
    province's log here, a quarter of what reading it costs (`python -m bench.replay`)."""
    if processes <= 1 or len(kabs) <= 1 or not nats_servers:
        for kab in kabs:
            yield await verify_stream(store, kab, secret=secret, kept=kept)
        return
    context = multiprocessing.get_context(start_method())
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        checks = [
            loop.run_in_executor(pool, _verify_apart, nats_servers, kab, secret, list(kept))
            for kab in kabs
        ]
        for check in checks:
            yield await check


def _verify_apart(
    servers: list[str], kab: str, secret: str | None, kept: list[KeptDigest]
) -> Verdict:
    """`verify_stream` in a process of its own, on its own connection."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # not a forked event loop's

    async def run() -> Verdict:
        nc = await nats.connect(servers=servers)
        try:
            return await verify_stream(EventStore(nc), kab, secret=secret, kept=kept)
        finally:
            await nc.close()

    return asyncio.run(run())


async def verify_kecamatan_log(store: EventStore, tenant: Tenant) -> Verdict:
    """One kecamatan's share of its kabupaten's log: the hash chain of each of its
    aggregates, and the sequences removed from the stream. Which kecamatan a removed event
    belonged to, the log no longer tells, so each kecamatan's verdict names them all. The
    signed checkpoints and kept digests cover the whole stream: `verify_stream` checks them."""
    stream = stream_name(tenant.kab)
    verifier = ChainVerifier(contiguous=False)
    verifier.seed(await store.key_registrations(tenant.kab))
    async for page in read_pages(store.nc, stream, tenant.subjects, 1, batch=2000):
        verifier.feed(page)
    problems = [str(p) for p in verifier.problems]
    problems += [
        f"stream sequences {first}..{last} are missing from {stream}"
        for first, last in _runs(await store.removed_seqs(tenant.kab))
    ]
    scope = f"log {stream}, kecamatan {tenant.kec}"
    return Verdict(scope, verifier.checked, problems, verifier.notes())


def _runs(seqs: list[int]) -> list[tuple[int, int]]:
    """Sorted sequences as (first, last) runs of consecutive ones."""
    runs: list[tuple[int, int]] = []
    for seq in seqs:
        if runs and runs[-1][1] == seq - 1:
            runs[-1] = (runs[-1][0], seq)
        else:
            runs.append((seq, seq))
    return runs


async def verify_read_models(readside: ReadSide, only: Tenant | str | None = None) -> Verdict:
    """`verify_all_read_models` of one service."""
    return (await verify_all_read_models([readside], only))[0]


async def verify_all_read_models(
    readsides: Sequence[ReadSide],
    only: Tenant | str | None = None,
    progress: ProgressFn | None = None,
    workers: Workers | None = None,
) -> list[Verdict]:
    """Rebuild each service's read models into a scratch schema up to its live checkpoints
    and compare every table with the live one; or `only` one kabupaten's rows, or one
    kecamatan's (a `Tenant`), rebuilt from its share of the log. (Scoped, the tables must
    have `kab` and `kec` columns, as a per-tenant replay needs too.)

    The scratch schemas are filled as a replay fills its shadows: each kabupaten's log read
    once for every service, additive projections folded, in several processes when
    `workers` says so. Verifying the services one by one read a 1M-event log four times
    over (`smart verify` on `python -m bench.replay`'s history)."""
    subjects = _parts(only)[2]
    async with contextlib.AsyncExitStack() as stack:
        targets = []
        for side in readsides:
            conn = await stack.enter_async_context(side.pool.acquire())
            scratch = f"{side.schema}__verify"
            stack.push_async_callback(conn.execute, f"drop schema if exists {scratch} cascade")
            await conn.execute(f"drop schema if exists {scratch} cascade")
            await migrate(conn, scratch, side.migrations)
            await unhurried_commits(conn)  # the scratch schema is thrown away
            ceilings = await positions(conn, side.schema)
            targets.append(Target(side, scratch, conn, ceilings, folds={}))
        names = await readsides[0].store.stream_names()
        served = [_scoped(served_kabupaten(t.readside, names), only) for t in targets]
        every = sorted({k for kabs in served for k in kabs})
        if workers is not None and workers.count > 1 and subjects is None:
            verifying = replace(workers, suffix="__verify", up_to_live=True)
            await verifying.run(readsides[0], every, PAGE, progress)
        else:
            for kab in every:
                chosen = [t for t, kabs in zip(targets, served, strict=True) if kab in kabs]
                await catch_up_all(chosen, kab, progress, subjects=subjects)
        return [await _compare(t, kabs, only) for t, kabs in zip(targets, served, strict=True)]


def _parts(only: Tenant | str | None) -> tuple[str | None, str | None, str | None]:
    """(kabupaten, kecamatan, subject filter) of a scope; None where it does not narrow."""
    if isinstance(only, Tenant):
        return only.kab, only.kec, only.subjects
    return only, None, None


def _scoped(kabs: list[str], only: Tenant | str | None) -> list[str]:
    kab = _parts(only)[0]
    return [k for k in kabs if kab is None or k == kab]


async def _compare(target: Target, kabs: list[str], only: Tenant | str | None) -> Verdict:
    """Under the service's switch lock: the scratch schema caught up to the live checkpoints
    as they are now, then every table's digest (of the scope's rows) against the live one."""
    readside, conn, scratch = target.readside, target.conn, target.schema
    live = readside.schema
    kab, kec, subjects = _parts(only)
    scope = f", kecamatan {kec}" if kec else f", kabupaten {kab}" if kab else ""
    verdict = Verdict(f"read models {live}{scope}")
    async with conn.transaction():
        await conn.execute("select pg_advisory_xact_lock($1)", advisory_key("switch", live))
        bounds = await positions(conn, live)
        for k in kabs:
            await catch_up(conn, readside, scratch, k, bounds, None, subjects)
        for projection in readside.projections:
            for table in projection.tables:
                live_d = await table_digest(conn, live, table, kab, kec)
                scratch_d = await table_digest(conn, scratch, table, kab, kec)
                verdict.checked += live_d[0]
                if live_d != scratch_d:
                    found = await _differences(conn, live, scratch, table, kab, kec)
                    verdict.problems.append(
                        f"{live}.{table}: {live_d[0]} rows live, {scratch_d[0]} rebuilt"
                        f" from the log; {found}"
                    )
    return verdict


async def _differences(
    conn: DbConn, live: str, scratch: str, table: str, kab: str | None, kec: str | None
) -> str:
    """Name a few rows that differ, as text, so a person can find them."""
    where, args = scope_rows(kab, kec)
    only_live = await conn.fetch(
        f"select t::text as row from {live}.{table} t {where} except"
        f" select t::text from {scratch}.{table} t {where} order by 1 limit 3",
        *args,
    )
    only_log = await conn.fetch(
        f"select t::text as row from {scratch}.{table} t {where} except"
        f" select t::text from {live}.{table} t {where} order by 1 limit 3",
        *args,
    )
    parts = [f"not from the log: {r['row']}" for r in only_live]
    parts += [f"missing per the log: {r['row']}" for r in only_log]
    return "; ".join(parts) or "contents differ"


async def verify_dead_letters(
    readsides: Sequence[ReadSide], kabs: Sequence[str] | None = None, kec: str | None = None
) -> Verdict:
    """Open dead letters: events a projector gave up on, so a read model lacks them (its
    rebuild would not: the comparison cannot see it). Each service and projection with
    any is a discrepancy; of some kabupaten, or one kecamatan, only when given."""
    verdict = Verdict("dead letters")
    streams = {stream_name(k) for k in kabs} if kabs else None
    for side in readsides:
        verdict.checked += 1
        letters: dict[tuple[str, str], list[int]] = {}
        for row in await side.checkpoints.dead_letters():
            wanted = streams is None or row["stream"] in streams
            if wanted and (kec is None or row["subject"].split(".")[2] == kec):
                letters.setdefault((row["projection"], row["stream"]), []).append(row["seq"])
        for (projection, stream), seqs in sorted(letters.items()):
            shown = ", ".join(map(str, sorted(seqs)[:5])) + (", ..." if len(seqs) > 5 else "")
            verdict.problems.append(
                f"{side.service}.{projection} on {stream}: {len(seqs)} open dead letter(s)"
                f" (seq {shown}): the read model lacks these events; fix the cause, then"
                " `smart dlq retry`"
            )
    return verdict


__all__ = [
    "Discrepancy",
    "Verdict",
    "verify_all_read_models",
    "verify_dead_letters",
    "verify_kecamatan_log",
    "verify_read_models",
    "verify_stream",
    "verify_streams",
]
