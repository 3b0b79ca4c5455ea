"""The event log on a real JetStream: conditional appends, idempotency, chains."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from nats.aio.client import Client as NATS

from shared.audit.chain import ChainVerifier
from shared.log.aggregate import CommandRunner
from shared.log.canonical import GENESIS_HASH
from shared.log.envelope import Metadata
from shared.log.eventstore import ConcurrencyConflict, EventStore
from shared.log.reader import read_pages
from shared.tenancy import AggregateRef, Tenant, stream_name
from tests.support import TALLY, Tallied

pytestmark = pytest.mark.integration


def meta(command_id: str | None = None) -> Metadata:
    cid = command_id or str(uuid.uuid4())
    return Metadata(command_id=cid, correlation_id=cid, actor="test")


def ref_for(kab: str, agg: str = "a1") -> AggregateRef:
    return AggregateRef(Tenant(kab, f"{kab}01"), "tally", "counter", agg)


async def test_twenty_concurrent_appends_one_winner_per_version(nc: NATS, kab: str) -> None:
    store = EventStore(nc)
    ref = ref_for(kab)
    first = await store.append(
        ref,
        [Tallied(n=0)],
        meta(),
        expected_last_seq=0,
        version=0,
        prev_hash=GENESIS_HASH,
        now=_now(),
    )
    base = first.events[0]

    async def attempt(i: int) -> str:
        try:
            await store.append(
                ref,
                [Tallied(n=i)],
                meta(),
                expected_last_seq=base.seq,
                version=1,
                prev_hash=base.envelope.hash,
                now=_now(),
            )
        except ConcurrencyConflict:
            return "conflict"
        return "won"

    results = await asyncio.gather(*(attempt(i) for i in range(20)))
    assert results.count("won") == 1
    assert results.count("conflict") == 19
    events = await store.load(ref)
    assert [e.envelope.aggregate_version for e in events] == [1, 2]


async def test_runner_retries_conflicts_so_every_command_lands_once(nc: NATS, kab: str) -> None:
    ref = ref_for(kab)
    runners = [CommandRunner(EventStore(nc), attempts=40) for _ in range(4)]
    outcomes = await asyncio.gather(
        *(runners[i % 4].execute(TALLY, ref, meta(), lambda s: [Tallied(n=1)]) for i in range(20))
    )
    assert sorted(o.position for o in outcomes) == sorted({o.position for o in outcomes})
    loaded = await CommandRunner(EventStore(nc)).load(TALLY, ref)
    assert loaded.state == 20
    assert loaded.version == 20


async def test_same_command_id_appends_once_within_the_duplicate_window(nc: NATS, kab: str) -> None:
    store = EventStore(nc)
    ref = ref_for(kab)
    cmd = meta()
    one = await CommandRunner(store).execute(TALLY, ref, cmd, lambda s: [Tallied(n=5)])
    # A fresh runner (no cache) retries the same command: JetStream reports the duplicate.
    two = await CommandRunner(store).execute(TALLY, ref, cmd, lambda s: [Tallied(n=5)])
    assert two.replayed
    assert two.position == one.position
    assert len(await store.load(ref)) == 1


async def test_same_command_id_appends_once_beyond_the_duplicate_window(nc: NATS, kab: str) -> None:
    store = EventStore(nc, duplicate_window_s=1.0)
    ref = ref_for(kab)
    cmd = meta()
    one = await CommandRunner(store).execute(
        TALLY, ref, cmd, lambda s: [Tallied(n=5), Tallied(n=6)]
    )
    await asyncio.sleep(1.6)
    info = await nc.jetstream().stream_info(stream_name(kab))
    assert info.config.duplicate_window == pytest.approx(1.0)
    two = await CommandRunner(store).execute(
        TALLY, ref, cmd, lambda s: [Tallied(n=5), Tallied(n=6)]
    )
    assert two.replayed
    assert [e.seq for e in two.events] == [e.seq for e in one.events]
    assert len(await store.load(ref)) == 2


async def test_multi_event_append_is_atomic_and_chained(nc: NATS, kab: str) -> None:
    store = EventStore(nc)
    ref = ref_for(kab)
    out = await CommandRunner(store).execute(
        TALLY, ref, meta(), lambda s: [Tallied(n=i) for i in range(5)]
    )
    assert [e.envelope.aggregate_version for e in out.events] == [1, 2, 3, 4, 5]
    with pytest.raises(ConcurrencyConflict):
        await store.append(
            ref,
            [Tallied(n=9), Tallied(n=9)],
            meta(),
            expected_last_seq=0,
            version=0,
            prev_hash=GENESIS_HASH,
            now=_now(),
        )
    verifier = ChainVerifier()
    async for page in read_pages(nc, stream_name(kab), f"smart.{kab}.>"):
        verifier.feed(page)
    verifier.finish(await store.last_seq(kab))
    assert verifier.checked == 5
    assert verifier.problems == []


async def test_an_edited_event_breaks_the_chain(nc: NATS, kab: str) -> None:
    store = EventStore(nc)
    ref = ref_for(kab)
    out = await CommandRunner(store).execute(TALLY, ref, meta(), lambda s: [Tallied(n=1)])
    tampered = out.events[0].data.replace(b'"n":1', b'"n":7')
    verifier = ChainVerifier()
    verifier.feed([type(out.events[0])(out.events[0].seq, ref.subject, tampered)])
    assert len(verifier.problems) == 1
    assert "hash does not match" in verifier.problems[0].problem
    assert str(out.events[0].envelope.event_id) in verifier.problems[0].problem


def _now():  # type: ignore[no-untyped-def]
    from shared.clock import utc_now  # noqa: PLC0415

    return utc_now()
