"""A 3-node JetStream cluster under load: a node dies and returns, nothing acknowledged is lost."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest
from nats.aio.client import Client as NATS

from services.donations.main import SPEC
from shared.config import Settings
from shared.edge.rpc import RpcReply, RpcRequest, call
from shared.infra.cluster import NatsCluster
from shared.infra.local import Endpoints
from shared.log.eventstore import EventStore
from shared.log.reader import read_pages
from shared.runtime import close_runtime, open_runtime
from shared.tenancy import stream_name
from tests.integration.deploy.conftest import configure
from tests.support import eventually, rpc, running

pytestmark = pytest.mark.integration


def cluster_settings(cluster: NatsCluster, infra: Endpoints, kab: str) -> Settings:
    return Settings(
        nats_url=cluster.urls(),
        database_url=infra.database_url,
        secret_key="test-secret",
        kabupaten=kab,
        stream_replicas=3,
    )


def gift(amount: int) -> dict[str, object]:
    return {"unit": "Desa Balerejo", "amount_idr": amount, "received_on": "2024-03-01"}


@dataclass
class Load:
    """Donations sent by several workers; a command without a reply is retried later."""

    nc: NATS
    kab: str
    kec: str
    acked: dict[str, tuple[float, RpcReply]] = field(default_factory=dict)
    unacked: dict[str, int] = field(default_factory=dict)

    async def send(self, command_id: str, amount: int, timeout: float = 4.0) -> bool:
        request = RpcRequest(
            kab=self.kab, kec=self.kec, command_id=command_id, actor="t", body=gift(amount)
        )
        try:
            reply = await call(self.nc, "donations", "donation_receive", request, timeout)
        except Exception:
            reply = None
        if reply is None or reply.status >= 500:
            self.unacked[command_id] = amount
            return False
        assert reply.status == 201, reply
        self.acked[command_id] = (time.monotonic(), reply)
        self.unacked.pop(command_id, None)
        return True

    async def retry_unacked(self, deadline: float) -> None:
        """A command that got no answer is sent again, same id, until it is answered."""
        while self.unacked and time.monotonic() < deadline:
            for command_id, amount in list(self.unacked.items()):
                await self.send(command_id, amount)
            if self.unacked:
                await asyncio.sleep(0.5)
        assert not self.unacked, f"never answered: {sorted(self.unacked)}"

    async def worker(self, until: float, n: int) -> None:
        i = 0
        while time.monotonic() < until:
            i += 1
            await self.send(str(uuid.uuid4()), 1000 * n + i)


async def command_ids(nc: NATS, kab: str, attempts: int = 3) -> Counter[str]:
    """How often each command id is in the stream (a read retried while the restarted node
    may still answer API requests slowly)."""
    for attempt in range(attempts):
        seen: Counter[str] = Counter()
        try:
            async for page in read_pages(nc, stream_name(kab), f"smart.{kab}.*.donations.>"):
                seen.update(e.envelope.command_id for e in page)
        except TimeoutError:
            if attempt == attempts - 1:
                raise
            continue
        return seen
    raise AssertionError("unreachable")


async def donate(nc: NATS, kab: str, kec: str, amounts: list[int]) -> int:
    replies = await asyncio.gather(
        *(rpc(nc, "donations", "donation_receive", kab, kec, body=gift(a)) for a in amounts)
    )
    assert all(r.status == 201 for r in replies), replies
    return max(r.position or 0 for r in replies)


async def test_two_replicas_share_the_commands_and_apply_each_event_once(
    cluster: NatsCluster, cnc: NATS, infra: Endpoints, kab: str, kec: str
) -> None:
    settings = cluster_settings(cluster, infra, kab)
    async with running(SPEC, settings) as two:
        one = await open_runtime(SPEC, settings)
        try:
            await configure(EventStore(cnc, replicas=3), kab, kec)
            first = list(range(1_000, 41_000, 1_000))
            await donate(cnc, kab, kec, first)
            handled = [
                r.metrics.count("smart_commands_total", name="donation_receive") for r in (one, two)
            ]
            appended = [r.metrics.count("smart_events_appended_total") for r in (one, two)]
        finally:
            await close_runtime(one)
        assert sum(handled) == len(first)
        assert all(n > 0 for n in handled), f"one replica did all the work: {handled}"
        assert sum(appended) == len(first)
        more = [7, 11, 13]
        await donate(cnc, kab, kec, more)
        expected = sum(first) + sum(more)

        async def fund_complete() -> bool:
            fund = await rpc(cnc, "donations", "fund", kab, kec)
            assert fund.data["donated_idr"] <= expected, "an event applied twice"
            return bool(fund.data["donated_idr"] == expected)

        await eventually(fund_complete, timeout=20)


async def test_commands_survive_a_killed_and_restarted_node(
    cluster: NatsCluster, cnc: NATS, infra: Endpoints, kab: str, kec: str
) -> None:
    async with running(SPEC, cluster_settings(cluster, infra, kab)):
        await configure(EventStore(cnc, replicas=3), kab, kec)  # as the scheduler would
        info = await cnc.jetstream().stream_info(stream_name(kab))
        assert info.config.num_replicas == 3
        assert info.cluster is not None
        leader = next(n for n in cluster.nodes if n.name == info.cluster.leader)
        load = Load(cnc, kab, kec)
        start = time.monotonic()
        workers = [asyncio.create_task(load.worker(start + 7, n)) for n in range(4)]
        await asyncio.sleep(1.5)
        before_kill = len(load.acked)
        killed_at = time.monotonic()
        await asyncio.to_thread(leader.kill)
        await asyncio.sleep(2.0)
        await asyncio.to_thread(leader.start)
        await asyncio.gather(*workers)
        await load.retry_unacked(time.monotonic() + 30)

        assert before_kill > 0
        assert any(t > killed_at for t, _ in load.acked.values()), "no command after the kill"
        stored = await command_ids(cnc, kab)
        assert set(load.acked) == set(stored)
        assert all(n == 1 for n in stored.values()), "a command appended twice"
        receipts = [r.data["receipt_no"] for _, r in load.acked.values()]
        assert len(set(receipts)) == len(receipts)
