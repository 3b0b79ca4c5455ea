"""A kecamatan office on a leaf node: written to while cut off, delivered once and in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats
import nats.errors
import pytest
from nats.aio.client import Client as NATS

from shared.audit.chain import ChainVerifier
from shared.infra.accounts import Tenancy
from shared.infra.cluster import (
    hub_leaf_url,
    leaf_node,
    source_office,
    wait_for_jetstream,
)
from shared.log.eventstore import EventStore
from shared.log.reader import StoredEvent, read_pages
from shared.tenancy import stream_name
from tests.integration.deploy.conftest import hub_with, tally
from tests.support import Tallied, eventually

pytestmark = pytest.mark.integration


async def events(nc: NATS, kab: str, subjects: str) -> list[StoredEvent]:
    found: list[StoredEvent] = []
    async for page in read_pages(nc, stream_name(kab), subjects):
        found.extend(page)
    return found


async def test_events_recorded_offline_reach_the_hub_once_and_in_order(
    workdir: Path, kab: str
) -> None:
    office, elsewhere = f"{kab}05", f"{kab}11"
    tenancy = Tenancy([kab], leaves=[office], password=lambda user: f"secret-{user}")
    hub = hub_with(workdir, tenancy)
    node = hub.nodes[0]
    leaf = leaf_node(
        workdir / f"leaf{office}",
        office,
        [hub_leaf_url(node)],
        tenancy.leaf_user(office),
        tenancy.password(tenancy.leaf_user(office)),
        tenancy.office_authorization(office),
    )
    leaf.start()
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(leaf.url(), allow_reconnect=False, max_reconnect_attempts=0)
    admin = tenancy.office_user(office)
    local = await nats.connect(leaf.url(admin, tenancy.password(admin)), max_reconnect_attempts=-1)
    central = await nats.connect(
        node.url(tenancy.user(kab), tenancy.password(tenancy.user(kab))), max_reconnect_attempts=-1
    )
    try:
        await wait_for_jetstream(local)
        await wait_for_jetstream(central)
        office_log = tally(EventStore(local), kab, office)
        await office_log.add(1, 2, 3)
        await EventStore(central).ensure_stream(kab)
        await source_office(central, kab, office)
        await source_office(central, kab, office)
        await tally(EventStore(central), kab, elsewhere).add(100)

        async def hub_has(n: int) -> bool:
            return len(await events(central, kab, f"smart.{kab}.{office}.>")) >= n

        await eventually(lambda: hub_has(3), timeout=15)

        await asyncio.to_thread(node.kill)
        await office_log.add(*range(4, 14))
        await asyncio.to_thread(node.start)
        await wait_for_jetstream(central)
        await tally(EventStore(central), kab, elsewhere).add(200)
        await eventually(lambda: hub_has(13), timeout=75)
        await asyncio.sleep(1.5)

        at_office = await events(local, kab, f"smart.{kab}.{office}.>")
        at_hub = await events(central, kab, f"smart.{kab}.{office}.>")
        assert [e.envelope.event_id for e in at_hub] == [e.envelope.event_id for e in at_office]
        assert [e.event.n for e in at_hub if isinstance(e.event, Tallied)] == list(range(1, 14))
        verifier = ChainVerifier()
        verifier.feed(await events(central, kab, f"smart.{kab}.>"))
        assert verifier.problems == []
        assert verifier.checked == 15
    finally:
        await local.close()
        await central.close()
        leaf.stop()
        hub.stop()
