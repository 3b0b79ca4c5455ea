"""Kabupaten credentials: a kabupaten's processes work on their own subjects, never another's."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from services.cli.provision import provision
from services.donations.main import SPEC
from shared.config import Settings
from shared.edge.rpc import RpcRequest, call
from shared.infra.accounts import Tenancy
from shared.infra.cluster import NatsCluster, wait_for_jetstream
from shared.infra.credentials import inbox_prefix
from shared.infra.local import Endpoints
from shared.log.eventstore import EventStore
from shared.tenancy import stream_name
from tests.integration.deploy.conftest import configure, hub_with, tally
from tests.support import eventually, running

pytestmark = pytest.mark.integration


class Client:
    """A connection with one kabupaten's credentials that remembers what the server refused."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.nc: NATS = NATS()

    async def connect(self, url: str, role: str = "admin") -> Client:
        async def on_error(exc: Exception) -> None:
            self.errors.append(str(exc))

        self.nc = await nats.connect(
            url, error_cb=on_error, allow_reconnect=False, inbox_prefix=inbox_prefix(role)
        )
        await wait_for_jetstream(self.nc)
        return self

    async def violations(self, subject: str, what: str = "publish") -> bool:
        await self.nc.flush()
        await asyncio.sleep(0.1)
        wanted = f'permissions violation for {what} to "{subject}"'.lower()
        return any(wanted in e.lower() for e in self.errors)


async def refused(work: Awaitable[Any]) -> bool:
    try:
        await work
    except Exception:
        return True
    return False


@pytest.fixture
def codes(kab: str) -> tuple[str, str]:
    other = f"{(int(kab) - 999) % 9000 + 1000}"
    return kab, other


@pytest.fixture
async def world(
    workdir: Path, codes: tuple[str, str]
) -> AsyncIterator[tuple[NatsCluster, Tenancy]]:
    a, b = codes
    tenancy = Tenancy([a, b], password=lambda user: f"secret-{user}")
    hub = hub_with(workdir, tenancy)
    yield hub, tenancy
    hub.stop()


async def test_a_kabupaten_is_refused_on_another_kabupatens_subjects(
    world: tuple[NatsCluster, Tenancy], codes: tuple[str, str]
) -> None:
    hub, tenancy = world
    a, b = codes
    alice = await Client().connect(login(hub, tenancy, tenancy.user(a, "donations")), "donations")
    alice_admin = await Client().connect(login(hub, tenancy, tenancy.user(a)))
    bob = await Client().connect(login(hub, tenancy, tenancy.user(b)))
    try:
        await tally(EventStore(bob.nc), b, f"{b}01").add(1, 2)
        bjs = bob.nc.jetstream()
        before = (await bjs.stream_info(stream_name(b))).state.last_seq
        assert before == 2

        seen: list[str] = []

        async def spy(msg: Msg) -> None:
            seen.append(msg.subject)

        await alice.nc.subscribe(f"smart.{b}.>", cb=spy)
        assert await alice.violations(f"smart.{b}.>", "subscription")
        await alice.nc.publish(f"smart.{b}.{b}01.tally.counter.c1", b"forged")
        assert await alice.violations(f"smart.{b}.{b}01.tally.counter.c1")
        ajs = alice.nc.jetstream(timeout=1.0)
        assert await refused(ajs.publish(f"smart.{b}.{b}01.tally.counter.c1", b"forged"))
        for api in (
            f"$JS.API.STREAM.INFO.{stream_name(b)}",
            f"$JS.API.STREAM.DELETE.{stream_name(b)}",
            f"$JS.API.DIRECT.GET.{stream_name(b)}",
            f"$JS.API.CONSUMER.CREATE.{stream_name(b)}",
            f"$JS.API.CONSUMER.DURABLE.CREATE.{stream_name(b)}.spy",
            f"smartrpc.{b}.donations.fund",
        ):
            assert await refused(alice.nc.request(api, b"{}", timeout=1.0)), api
            assert await alice.violations(api), api
        assert await refused(ajs.stream_info(stream_name(b)))

        await tally(EventStore(bob.nc), b, f"{b}01").add(3)
        assert (await bjs.stream_info(stream_name(b))).state.last_seq == before + 1
        assert seen == []
        await tally(EventStore(alice_admin.nc), a, f"{a}01").add(5)
        assert [s.config.name async for s in _streams(alice.nc)] == [stream_name(a)]
    finally:
        await alice.nc.close()
        await alice_admin.nc.close()
        await bob.nc.close()


def login(hub: NatsCluster, tenancy: Tenancy, user: str) -> str:
    return hub.nodes[0].url(user, tenancy.password(user))


async def _streams(nc: NATS) -> AsyncIterator[Any]:
    for info in await nc.jetstream().streams_info():
        yield info


async def test_a_service_runs_with_its_kabupatens_credentials_and_the_gateway_reaches_it(
    world: tuple[NatsCluster, Tenancy], codes: tuple[str, str], infra: Endpoints
) -> None:
    hub, tenancy = world
    a, _ = codes
    kec = f"{a}05"
    url = login(hub, tenancy, tenancy.user(a, "donations"))
    settings = Settings(nats_url=url, database_url=infra.database_url, secret_key="s", kabupaten=a)
    gateway = await nats.connect(
        login(hub, tenancy, "gateway"), inbox_prefix=inbox_prefix("gateway")
    )
    alice = await nats.connect(login(hub, tenancy, tenancy.user(a)))
    try:
        async with running(SPEC, settings):
            await configure(EventStore(alice), a, kec)

            async def ask(name: str, body: Any = None) -> Any:
                request = RpcRequest(kab=a, kec=kec, actor="t", body=body)
                return await call(gateway, "donations", name, request, timeout=10)

            gift = {"unit": "Desa Balerejo", "amount_idr": 250_000, "received_on": "2024-03-01"}
            received = await ask("donation_receive", gift)
            assert received.status == 201, received

            async def projected() -> bool:
                fund = await ask("fund")
                return bool(fund.status == 200 and fund.data["donated_idr"] == 250_000)

            await eventually(projected)
            assert str(uuid.UUID(received.data["donation_id"]))
    finally:
        await gateway.close()
        await alice.close()


async def test_smart_provision_makes_what_only_the_admins_may_make(
    world: tuple[NatsCluster, Tenancy], codes: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hub, tenancy = world
    a, _ = codes
    monkeypatch.delenv("SMART_DATABASE_URL", raising=False)
    service = await Client().connect(
        login(hub, tenancy, tenancy.user(a, "distribution")), "distribution"
    )
    try:
        assert await refused(service.nc.jetstream(timeout=1.0).add_stream(name=stream_name(a)))
        monkeypatch.setenv("SMART_NATS_URL", login(hub, tenancy, tenancy.user(a)))
        assert await provision([a], gateway=False) == 0
        monkeypatch.setenv("SMART_NATS_URL", login(hub, tenancy, "gateway_admin"))
        assert await provision([], gateway=True) == 0
        js = service.nc.jetstream()
        log = await js.stream_info(stream_name(a))
        assert log.config.deny_delete
        claims = await js.key_value(f"distribution_claims_{a}")
        assert await claims.put("kk.probe", b"x")
    finally:
        await service.nc.close()
    gateway = await nats.connect(
        login(hub, tenancy, "gateway"), inbox_prefix=inbox_prefix("gateway")
    )
    try:
        users = await gateway.jetstream().key_value("SMART_USERS")
        assert (await users.status()).bucket == "SMART_USERS"
    finally:
        await gateway.close()
