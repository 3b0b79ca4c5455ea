"""Facts from memory: a set-up another process appends is followed without a restart, and
no refusal is ever answered on a memory the log has moved past."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from nats.aio.client import Client as NATS
from pydantic import BaseModel

from shared.contracts.donations import ReceiveDonation
from shared.edge.facts import Facts, KecamatanNotFound
from shared.edge.kit import Api, Ctx
from shared.edge.rpc import RpcRequest
from shared.errors import InvalidInput
from shared.infra.local import Endpoints
from shared.log.aggregate import CommandRunner
from shared.log.eventstore import EventStore
from shared.log.reader import StoredEvent
from shared.tenancy import AggregateRef, Tenant
from tests.fakes import FakeRuntime, configure, unit_settings

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
ELSEWHERE = """
import asyncio, sys
import nats
from shared.log.eventstore import EventStore
from shared.tenancy import Tenant
from tests.fakes import configure

async def main(url: str, kab: str, kec: str, units: str) -> None:
    nc = await nats.connect(url)
    await configure(EventStore(nc), Tenant(kab, kec), units=units.split(","))
    await nc.drain()

asyncio.run(main(*sys.argv[1:]))
"""


class CountingStore(EventStore):
    """The real store, counting the log reads made through it."""

    loads = 0

    async def load(self, ref: AggregateRef, after_seq: int = 0) -> list[StoredEvent]:
        self.loads += 1
        return await super().load(ref, after_seq)


def configure_elsewhere(infra: Endpoints, tenant: Tenant, units: list[str]) -> None:
    """Another process appends the kecamatan's set-up. It blocks this event loop meanwhile:
    whatever the follower is pushed waits, so memory is behind the log when this returns."""
    args = [sys.executable, "-c", ELSEWHERE, infra.nats_url, tenant.kab, tenant.kec]
    subprocess.run([*args, ",".join(units)], cwd=ROOT, check=True, timeout=60)


async def followed(nc: NATS, kab: str) -> tuple[CountingStore, Facts]:
    """Facts following a kabupaten whose stream holds one configured kecamatan."""
    store = CountingStore(nc)
    facts = Facts(store, nc=nc)
    first = Tenant(kab, f"{kab}01")
    await configure(store, first)
    await facts.require_kecamatan(first)
    for _ in range(200):
        if facts._followers[kab].ready:
            break
        await asyncio.sleep(0.01)
    return store, facts


async def test_a_set_up_appended_elsewhere_is_followed_into_memory(
    nc: NATS, kab: str, infra: Endpoints
) -> None:
    store, facts = await followed(nc, kab)
    tenant = Tenant(kab, f"{kab}02")
    configure_elsewhere(infra, tenant, ["A"])
    await facts.require_kecamatan(tenant)
    configure_elsewhere(infra, tenant, ["A", "B"])
    reads = store.loads
    for _ in range(500):
        config = await facts.kecamatan(tenant)
        if config is not None and config.units == ["A", "B"]:
            break
        await asyncio.sleep(0.01)
    assert config is not None
    assert config.units == ["A", "B"]
    assert store.loads == reads
    await facts.close()


async def test_not_configured_is_never_answered_on_memory(
    nc: NATS, kab: str, infra: Endpoints
) -> None:
    _, facts = await followed(nc, kab)
    tenant = Tenant(kab, f"{kab}03")
    with pytest.raises(KecamatanNotFound):
        await facts.require_kecamatan(tenant)
    configure_elsewhere(infra, tenant, ["A"])
    assert (await facts.require_kecamatan(tenant)).units == ["A"]
    await facts.close()


class Taken(BaseModel):
    unit: str


async def take(cmd: ReceiveDonation, ctx: Ctx[None]) -> Taken:
    if cmd.unit not in ctx.setup.units:
        raise InvalidInput("unit", "Unit tidak dikenal", "Unknown unit")
    return Taken(unit=cmd.unit)


async def test_the_edge_refuses_only_on_the_set_up_the_log_holds(
    nc: NATS, kab: str, infra: Endpoints
) -> None:
    store, facts = await followed(nc, kab)
    tenant = Tenant(kab, f"{kab}04")
    configure_elsewhere(infra, tenant, ["A"])
    none: Any = None  # this edge needs no pool and no read side
    rt = FakeRuntime(
        "test", "test", unit_settings(), nc, none, store, CommandRunner(store), none, facts
    )
    endpoint = Api("donations", {ReceiveDonation: take}).endpoint(rt, None, ReceiveDonation)

    def donate(unit: str) -> RpcRequest:
        body = {"unit": unit, "amount_idr": 1000, "received_on": "2024-03-01"}
        return RpcRequest(kab=kab, kec=tenant.kec, body=body)

    assert (await endpoint(donate("A"))).status == 200
    assert (await endpoint(donate("B"))).status == 422
    configure_elsewhere(infra, tenant, ["A", "B"])
    assert (await endpoint(donate("B"))).data == {"unit": "B"}
    assert (await endpoint(donate("C"))).status == 422
    await facts.close()
