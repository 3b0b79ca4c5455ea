"""Servers of our own for the deployment tests: a 3-node cluster, accounts, a leaf office."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import nats
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from shared.events.base import DomainEvent
from shared.events.scheduler import Desa, KecamatanConfigured, kecamatan_ref
from shared.infra.accounts import Tenancy
from shared.infra.cluster import NatsCluster, wait_for_jetstream
from shared.log.aggregate import AggregateType, CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.tenancy import AggregateRef, Tenant
from tests.support import TALLY, Tallied

KECAMATAN = AggregateType[int]("scheduler", "kecamatan", lambda: 0, lambda n, e: n + 1)
UNITS = ["Kantor Kecamatan", "Desa Balerejo"]


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="smart-deploy-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def cluster(workdir: Path) -> Iterator[NatsCluster]:
    """Three routed JetStream nodes, no accounts, fresh for each test (a test may leave one
    node recovering): the cluster of a kabupaten deployment."""
    nodes = NatsCluster(workdir / f"cluster-{uuid.uuid4().hex[:6]}", 3)
    nodes.start()
    yield nodes
    nodes.stop()


@pytest_asyncio.fixture
async def cnc(cluster: NatsCluster) -> AsyncIterator[NATS]:
    client = await nats.connect(servers=cluster.urls().split(","), max_reconnect_attempts=-1)
    await wait_for_jetstream(client, replicas=3)
    yield client
    await client.drain()


async def configure(store: EventStore, kab: str, kec: str) -> int:
    """What the scheduler appends on PUT of the kecamatan: its set-up, units included."""
    tenant = Tenant(kab, kec)
    event: DomainEvent = KecamatanConfigured(
        kecamatan=tenant.kec_dotted,
        name="Kawedanan",
        desa=[Desa(code=f"{tenant.kec_dotted}.2004", name="Balerejo")],
        units=UNITS,
    )
    cid = str(uuid.uuid4())
    out = await CommandRunner(store).execute(
        KECAMATAN,
        kecamatan_ref(tenant),
        Metadata(command_id=cid, correlation_id=cid, actor="t"),
        lambda _: [event],
    )
    return out.position


def hub_with(workdir: Path, tenancy: Tenancy) -> NatsCluster:
    """One hub server whose accounts and users come from `tenancy`."""
    hub = NatsCluster(workdir / f"hub-{uuid.uuid4().hex[:6]}", 1, tenancy.accounts_conf())
    hub.start()
    return hub


def tally(store: EventStore, kab: str, kec: str, counter: str = "c1") -> Tallier:
    return Tallier(
        CommandRunner(store), AggregateRef(Tenant(kab, kec), "tally", "counter", counter)
    )


class Tallier:
    """Appends Tallied events to one counter aggregate, one command each."""

    def __init__(self, runner: CommandRunner, ref: AggregateRef) -> None:
        self.runner = runner
        self.ref = ref

    async def add(self, *ns: int) -> int:
        position = 0
        for n in ns:
            cid = str(uuid.uuid4())
            meta = Metadata(command_id=cid, correlation_id=cid, actor="t")
            out = await self.runner.execute(TALLY, self.ref, meta, _tallied(n))
            position = out.position
        return position


def _tallied(n: int) -> Callable[[int], list[DomainEvent]]:
    return lambda _: [Tallied(n=n)]
