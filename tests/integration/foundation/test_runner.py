"""The command runner decides on the state it holds, and never refuses on a stale one."""

from __future__ import annotations

import uuid

import pytest
from nats.aio.client import Client as NATS

from shared.errors import DomainError
from shared.log.aggregate import CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.log.reader import StoredEvent
from shared.tenancy import AggregateRef, Tenant
from tests.support import TALLY, Tallied

pytestmark = pytest.mark.integration


class CountingStore(EventStore):
    """The real store, counting the reads the runner makes of an aggregate."""

    loads = 0

    async def load(self, ref: AggregateRef, after_seq: int = 0) -> list[StoredEvent]:
        self.loads += 1
        return await super().load(ref, after_seq)


def meta() -> Metadata:
    cid = str(uuid.uuid4())
    return Metadata(command_id=cid, correlation_id=cid, actor="test")


def up_to(limit: int):  # type: ignore[no-untyped-def]
    """Add 1 while the total stays within `limit`, else refuse."""

    def decide(total: int) -> list[Tallied]:
        if total + 1 > limit:
            raise DomainError("OVER", "Melebihi batas", "Over the limit")
        return [Tallied(n=1)]

    return decide


async def test_a_command_on_a_held_aggregate_reads_nothing_before_its_append(
    nc: NATS, kab: str
) -> None:
    store = CountingStore(nc)
    runner = CommandRunner(store)
    ref = AggregateRef(Tenant(kab, f"{kab}01"), "tally", "counter", "c1")
    await runner.execute(TALLY, ref, meta(), lambda s: [Tallied(n=1)])
    reads = store.loads
    for _ in range(5):
        await runner.execute(TALLY, ref, meta(), lambda s: [Tallied(n=1)])
    assert store.loads == reads
    assert (await CommandRunner(EventStore(nc)).load(TALLY, ref)).state == 6


async def test_another_replicas_append_is_seen_before_a_refusal_or_a_no_op(
    nc: NATS, kab: str
) -> None:
    ref = AggregateRef(Tenant(kab, f"{kab}01"), "tally", "counter", "c1")
    mine, theirs = CommandRunner(EventStore(nc)), CommandRunner(EventStore(nc))
    await mine.execute(TALLY, ref, meta(), lambda s: [Tallied(n=5)])
    await theirs.execute(TALLY, ref, meta(), lambda s: [Tallied(n=-5)])
    # Given my cached total is 5 while the log says 0, When I add within a limit of 1,
    # Then the stale refusal is not answered: the fresh state accepts it.
    out = await mine.execute(TALLY, ref, meta(), up_to(1))
    assert out.state == 1
    await theirs.execute(TALLY, ref, meta(), lambda s: [Tallied(n=9)])
    # A no-op decided on my stale total answers the log's state and position instead.
    noop = await mine.execute(TALLY, ref, meta(), lambda s: [])
    assert noop.state == 10
    assert noop.position == (await EventStore(nc).last_seq(kab))
    with pytest.raises(DomainError):
        await mine.execute(TALLY, ref, meta(), up_to(10))
