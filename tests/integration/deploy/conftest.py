"""Servers of our own for the deployment tests: a 3-node cluster, accounts, a leaf office."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import nats
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from shared.aggregate import AggregateType, CommandRunner
from shared.envelope import Metadata
from shared.events.base import DomainEvent
from shared.events.scheduler import Desa, KecamatanConfigured, kecamatan_ref
from shared.eventstore import EventStore
from shared.infra.cluster import NatsCluster, wait_for_jetstream
from shared.tenancy import Tenant

KECAMATAN = AggregateType[int]("scheduler", "kecamatan", lambda: 0, lambda n, e: n + 1)
UNITS = ["Kantor Kecamatan", "Desa Balerejo"]


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="smart-deploy-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster(workdir: Path) -> Iterator[NatsCluster]:
    """Three routed JetStream nodes, no accounts: the cluster of a kabupaten deployment."""
    nodes = NatsCluster(workdir / "cluster", 3)
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
