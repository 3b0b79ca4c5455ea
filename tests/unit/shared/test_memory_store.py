"""The memory store answers as the JetStream one where the runner and Facts depend on it
(the same cases as tests/integration/foundation/test_eventstore.py, without servers)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from nats.js.errors import NotFoundError

from shared.audit.chain import ChainVerifier
from shared.clock import utc_now
from shared.edge.facts import KecamatanNotFound
from shared.errors import WriteConflict
from shared.keys import KeyShredded
from shared.log.aggregate import CommandRunner
from shared.log.canonical import GENESIS_HASH
from shared.log.envelope import Metadata, open_envelope
from shared.log.eventstore import Appended, ConcurrencyConflict
from shared.log.reader import StoredEvent
from shared.tenancy import AggregateRef, Tenant
from tests.fakes import (
    UNITS,
    MemoryEventStore,
    MemoryKeyStore,
    NotInUnitTests,
    configure,
    ctx_for,
    fake_runtime,
)
from tests.support import TALLY, Tallied

pytestmark = pytest.mark.unit

KAB = "3520"
TENANT = Tenant(KAB, "352005")


def meta(command_id: str | None = None) -> Metadata:
    cid = command_id or str(uuid.uuid4())
    return Metadata(command_id=cid, correlation_id=cid, actor="test")


def ref_for(agg: str = "a1", tenant: Tenant = TENANT) -> AggregateRef:
    return AggregateRef(tenant, "tally", "counter", agg)


class Clock:
    """A monotonic clock a test moves by hand (the duplicate window's)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def first_append(store: MemoryEventStore, ref: AggregateRef) -> StoredEvent:
    out = await store.append(
        ref,
        [Tallied(n=0)],
        meta(),
        expected_last_seq=0,
        version=0,
        prev_hash=GENESIS_HASH,
        now=utc_now(),
    )
    return out.events[0]


async def test_a_stale_expected_sequence_is_a_conflict_and_stores_nothing() -> None:
    store = MemoryEventStore()
    ref = ref_for()
    base = await first_append(store, ref)
    await store.append(
        ref,
        [Tallied(n=1)],
        meta(),
        expected_last_seq=base.seq,
        version=1,
        prev_hash=base.envelope.hash,
        now=utc_now(),
    )
    with pytest.raises(ConcurrencyConflict) as caught:
        await store.append(
            ref,
            [Tallied(n=2), Tallied(n=3)],  # a batch: refused whole
            meta(),
            expected_last_seq=base.seq,
            version=1,
            prev_hash=base.envelope.hash,
            now=utc_now(),
        )
    assert (caught.value.subject, caught.value.expected) == (ref.subject, base.seq)
    assert [e.event for e in await store.load(ref)] == [Tallied(n=0), Tallied(n=1)]


async def test_the_expected_sequence_is_per_subject() -> None:
    store = MemoryEventStore()
    a, b = ref_for("a1"), ref_for("b1")
    await first_append(store, a)
    other = await first_append(store, b)  # b's last is 0 though the stream is at 1
    assert other.seq == 2
    assert [e.seq for e in await store.load(a)] == [1]
    assert [e.seq for e in await store.load(b, after_seq=1)] == [2]


async def test_sequences_count_from_one_per_kabupaten() -> None:
    store = MemoryEventStore()
    assert not await store.has_stream(KAB)
    with pytest.raises(NotFoundError):
        await store.last_seq(KAB)
    assert await store.load(ref_for()) == []
    other = Tenant("3521", "352101")
    await first_append(store, ref_for("a1"))
    await first_append(store, ref_for("a2"))
    elsewhere = await first_append(store, ref_for("a1", other))
    assert elsewhere.seq == 1
    assert (await store.last_seq(KAB), await store.last_seq("3521")) == (2, 1)
    assert await store.stream_names() == ["SMART_3520", "SMART_3521"]
    got = await store.get(KAB, 2)
    assert got is not None
    assert got.subject == ref_for("a2").subject
    assert await store.get(KAB, 3) is None


async def test_concurrent_runners_land_every_command_once() -> None:
    store = MemoryEventStore()
    ref = ref_for()
    runners = [CommandRunner(store, attempts=40) for _ in range(4)]
    decided: list[int] = []

    def decide(state: int) -> list[Tallied]:
        decided.append(state)
        return [Tallied(n=1)]

    async def one(i: int) -> int:
        out = await runners[i % 4].execute(TALLY, ref, meta(), decide)
        return out.position

    positions = await asyncio.gather(*(one(i) for i in range(20)))
    assert sorted(positions) == list(range(1, 21))
    assert len(decided) > 20  # they did race: some decided again after a conflict
    loaded = await CommandRunner(store).load(TALLY, ref)
    assert (loaded.state, loaded.version) == (20, 20)


async def test_the_runner_retries_a_write_that_raced_it() -> None:
    store = MemoryEventStore()
    ref = ref_for()
    rival = CommandRunner(store)
    store.interpose(lambda: rival.execute(TALLY, ref, meta(), lambda s: [Tallied(n=10)]))
    seen: list[int] = []

    def decide(state: int) -> list[Tallied]:
        seen.append(state)
        return [Tallied(n=1)]

    out = await CommandRunner(store).execute(TALLY, ref, meta(), decide)
    assert seen == [0, 10]  # decided again on the state the rival left
    assert out.state == 11
    assert out.position == 2


async def test_a_runner_losing_every_race_gives_up_with_write_conflict() -> None:
    store = MemoryEventStore()
    ref = ref_for()
    rival = CommandRunner(store)

    def decide(state: int) -> list[Tallied]:
        store.interpose(lambda: rival.execute(TALLY, ref, meta(), lambda s: [Tallied(n=1)]))
        return [Tallied(n=100)]

    with pytest.raises(WriteConflict):
        await CommandRunner(store, attempts=3).execute(TALLY, ref, meta(), decide)
    assert [e.event for e in await store.load(ref)] == [Tallied(n=1)] * 3


async def test_a_retried_command_id_answers_its_first_result() -> None:
    store = MemoryEventStore()
    ref = ref_for()
    cmd = meta()
    one = await CommandRunner(store).execute(TALLY, ref, cmd, lambda s: [Tallied(n=5)])
    two = await CommandRunner(store).execute(TALLY, ref, cmd, lambda s: [Tallied(n=5)])
    assert not one.replayed
    assert two.replayed
    assert two.position == one.position
    assert len(await store.load(ref)) == 1


async def test_the_same_command_racing_itself_is_a_duplicate_then_a_replay() -> None:
    """Two replicas run one command: the second one's append carries the same message ids,
    JetStream answers a duplicate, the runner reloads and answers the first result."""
    store = MemoryEventStore()
    ref = ref_for()
    cmd = meta()
    other_replica = CommandRunner(store)
    first: list[int] = []

    async def same_command_elsewhere() -> None:
        out = await other_replica.execute(TALLY, ref, cmd, lambda s: [Tallied(n=5), Tallied(n=6)])
        first.extend(e.seq for e in out.events)

    store.interpose(same_command_elsewhere)
    out = await CommandRunner(store).execute(
        TALLY, ref, cmd, lambda s: [Tallied(n=5), Tallied(n=6)]
    )
    assert out.replayed
    assert [e.seq for e in out.events] == first == [1, 2]
    assert out.state == 11
    assert store.appends == 1


async def test_a_repeated_message_id_is_a_duplicate_within_the_window_only() -> None:
    clock = Clock()
    store = MemoryEventStore(duplicate_window_s=120.0, clock=clock)
    ref = ref_for()
    cmd = meta()

    async def append(events: list[Tallied], expected: int) -> Appended:
        loaded = await CommandRunner(store).load(TALLY, ref)
        return await store.append(
            ref,
            events,
            cmd,
            expected_last_seq=expected,
            version=loaded.version,
            prev_hash=loaded.last_hash,
            now=utc_now(),
        )

    one = await append([Tallied(n=1)], 0)
    # Judged before the expected sequence, as JetStream does: the stale 0 is no conflict.
    again = await append([Tallied(n=1)], 0)
    assert again.duplicate
    assert [e.seq for e in again.events] == [e.seq for e in one.events] == [1]
    clock.now += 121  # the window passed: the message id is new again
    with pytest.raises(ConcurrencyConflict):
        await append([Tallied(n=1)], 0)
    batch = await append([Tallied(n=1), Tallied(n=2)], 1)
    assert not batch.duplicate
    assert [e.seq for e in batch.events] == [2, 3]
    assert await append([Tallied(n=1), Tallied(n=2)], 3) == Appended([], True)
    assert await store.last_seq(KAB) == 3


async def test_envelopes_are_the_real_ones_and_the_chain_verifies() -> None:
    store = MemoryEventStore()
    a, b = ref_for("a1"), ref_for("b1")
    cmd = meta()
    await CommandRunner(store).execute(TALLY, a, cmd, lambda s: [Tallied(n=i) for i in range(3)])
    await CommandRunner(store).execute(TALLY, b, meta(), lambda s: [Tallied(n=7)])
    await CommandRunner(store).execute(TALLY, a, meta(), lambda s: [Tallied(n=8)])
    events = store.events(KAB)
    envelopes = [open_envelope(e.data) for e in events]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert [(x.aggregate_id, x.aggregate_version) for x in envelopes] == [
        ("a1", 1),
        ("a1", 2),
        ("a1", 3),
        ("b1", 1),
        ("a1", 4),
    ]
    assert {x.command_id for x in envelopes[:3]} == {cmd.command_id}
    assert envelopes[0].prev_hash == GENESIS_HASH
    assert envelopes[1].prev_hash == envelopes[0].hash
    assert envelopes[4].prev_hash == envelopes[2].hash
    verifier = ChainVerifier()
    verifier.feed(events)
    verifier.finish(await store.last_seq(KAB))
    assert verifier.checked == 5
    assert verifier.problems == []


async def test_the_verifier_sees_an_edited_event_in_the_memory_store() -> None:
    store = MemoryEventStore()
    out = await CommandRunner(store).execute(TALLY, ref_for(), meta(), lambda s: [Tallied(n=1)])
    stored = out.events[0]
    verifier = ChainVerifier()
    verifier.feed(
        [StoredEvent(stored.seq, stored.subject, stored.data.replace(b'"n":1', b'"n":7'))]
    )
    assert len(verifier.problems) == 1
    assert "hash does not match" in verifier.problems[0].problem


async def test_configure_sets_the_kecamatan_up_for_facts() -> None:
    rt = fake_runtime()
    with pytest.raises(KecamatanNotFound):
        await rt.facts.require_kecamatan(TENANT)
    first = await configure(rt.store, TENANT)
    assert await rt.facts.require_kecamatan(TENANT) == first
    assert first.units == list(UNITS)
    assert [d.code for d in first.desa] == ["35.20.05.2001", "35.20.05.2002", "35.20.05.2003"]
    changed = await configure(
        rt.store, TENANT, desa=["Alpha", ("35.20.05.2009", "Beta")], units=["U"]
    )
    assert await rt.facts.require_kecamatan(TENANT) == changed
    assert [(d.code, d.name) for d in changed.desa] == [
        ("35.20.05.2001", "Alpha"),
        ("35.20.05.2009", "Beta"),
    ]
    assert len(rt.memory.events(KAB, "smart.3520.*.scheduler.kecamatan.*")) == 2


async def test_the_fake_runtime_refuses_infrastructure_and_never_waits() -> None:
    rt = fake_runtime()
    await rt.wait_for(KAB, 99)
    await rt.catch_up(KAB)
    for touch in (lambda: rt.pool.fetch, lambda: rt.nc.request, lambda: rt.readside.lag):
        with pytest.raises(NotInUnitTests, match="unit test"):
            touch()
    ctx = ctx_for(rt, None, kab="35.20", kec="35.20.05", body={"a": 1}, params={"id": "x"})
    assert (ctx.tenant, ctx.raw_id, ctx.req.body) == (TENANT, "x", {"a": 1})
    assert ctx.meta.command_id == ctx.command_id
    with pytest.raises(RuntimeError, match="before the kecamatan"):
        _ = ctx.setup


async def test_the_memory_key_store_makes_keeps_and_forgets() -> None:
    keys = MemoryKeyStore()
    made, new = await keys.create(["d1"])
    again, none = await keys.create(["d1"])
    assert (made, new, none) == (again, ["d1"], [])
    assert await keys.shred("d1") is True
    assert await keys.shred("d1") is False
    assert await keys.existing("d1") is None
    with pytest.raises(KeyShredded):
        await keys.create(["d1"])
