"""NATS: nobody anonymous; each role publishes what it owns; only the admin manages streams."""

from __future__ import annotations

import uuid
from typing import Any

import nats
import nats.errors
import pytest
from nats.aio.msg import Msg

from services.donations.main import SPEC as DONATIONS
from shared.audit.checkpoints import Checkpointer
from shared.events.base import DomainEvent
from shared.infra.credentials import without_user
from shared.log.aggregate import AggregateType, CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.log.reader import read_pages
from shared.runtime import close_runtime, open_runtime
from shared.tenancy import AggregateRef, Tenant, stream_name
from tests.integration.security.conftest import Client, Secured, fails
from tests.support import Tallied

pytestmark = pytest.mark.integration

REFUSED_S = 0.3
"""How long a refused request waits: NATS answers a violation with an error, not a reply."""
MANAGING = ("STREAM.DELETE", "STREAM.PURGE", "STREAM.UPDATE", "STREAM.MSG.DELETE")


def probe(service: str) -> AggregateType[int]:
    return AggregateType[int](service, "probe", lambda: 0, lambda n, e: n + 1)


async def append(nc: Any, kab: str, service: str, n: int = 1) -> int:
    """One event of `service` in the kabupaten's log, appended on `nc`; its position."""
    ref = AggregateRef(Tenant(kab, f"{kab}01"), service, "probe", "p1")
    cid = str(uuid.uuid4())
    meta = Metadata(command_id=cid, correlation_id=cid, actor="t")
    event: DomainEvent = Tallied(n=n)
    out = await CommandRunner(EventStore(nc)).execute(probe(service), ref, meta, lambda _: [event])
    return out.position


async def stream_intact(admin: Client, kab: str, messages: int) -> bool:
    info = await admin.nc.jetstream().stream_info(stream_name(kab))
    config = info.config
    return bool(info.state.messages == messages and config.deny_delete and config.deny_purge)


async def refused_api(client: Client, kab: str, actions: tuple[str, ...] = MANAGING) -> None:
    for action in actions:
        subject = f"$JS.API.{action}.{stream_name(kab)}"
        assert await fails(client.nc.request(subject, b"{}", timeout=REFUSED_S)), subject
        assert await client.refused(subject), subject


async def test_an_anonymous_client_and_a_wrong_password_are_refused(secured: Secured) -> None:
    for url in (without_user(secured.endpoints.nats_url), secured.nats_url("gateway", "wrong")):
        with pytest.raises(nats.errors.Error, match="Authorization Violation"):
            await nats.connect(url, allow_reconnect=False, max_reconnect_attempts=0)


async def test_the_gateway_sends_requests_but_appends_nothing_and_manages_no_stream(
    connect: Any, admin: Client, kab: str
) -> None:
    await append(admin.nc, kab, "donations")
    gateway: Client = await connect("gateway")

    async def service(msg: Msg) -> None:
        await msg.respond(b"answered")

    await admin.nc.subscribe(f"smartrpc.{kab}.donations.fund", cb=service)
    await admin.nc.flush()
    reply = await gateway.nc.request(f"smartrpc.{kab}.donations.fund", b"{}", timeout=5)
    assert reply.data == b"answered"
    head = await gateway.nc.jetstream().stream_info(stream_name(kab))
    assert head.state.last_seq == 1

    event = f"smart.{kab}.{kab}01.donations.probe.p1"
    assert await fails(gateway.nc.jetstream(timeout=REFUSED_S).publish(event, b"{}"))
    assert await gateway.refused(event)
    await refused_api(gateway, kab, (*MANAGING, "CONSUMER.CREATE"))
    assert await fails(gateway.nc.jetstream(timeout=REFUSED_S).delete_stream(stream_name(kab)))
    await gateway.nc.subscribe("_INBOX.>")
    assert await gateway.refused("_INBOX.>", "subscription")
    assert await stream_intact(admin, kab, 1)


async def test_a_service_appends_its_own_events_only_and_manages_no_stream(
    connect: Any, admin: Client, kab: str
) -> None:
    await append(admin.nc, kab, "scheduler")
    donations: Client = await connect("donations")
    assert await append(donations.nc, kab, "donations") == 2
    theirs = f"smart.{kab}.{kab}01.scheduler.probe.p1"
    assert await fails(donations.nc.jetstream(timeout=REFUSED_S).publish(theirs, b"{}"))
    assert await donations.refused(theirs)
    assert await fails(donations.nc.jetstream(timeout=REFUSED_S).delete_stream(stream_name(kab)))
    await refused_api(donations, kab)
    for subject in (
        "$JS.API.STREAM.CREATE.SMART_0000",
        f"$JS.API.CONSUMER.DURABLE.CREATE.{stream_name(kab)}.scheduler__kecamatan",
        "$JS.API.DIRECT.GET.KV_SMART_USERS",
        "$JS.API.STREAM.INFO.KV_SMART_USERS",
    ):
        assert await fails(donations.nc.request(subject, b"{}", timeout=REFUSED_S)), subject
        assert await donations.refused(subject), subject
    await donations.nc.publish("$KV.SMART_USERS.admin", b"{}")
    assert await donations.refused("$KV.SMART_USERS.admin")

    read = [p async for p in read_pages(donations.nc, stream_name(kab), f"smart.{kab}.>")]
    assert [e.seq for page in read for e in page] == [1, 2]
    assert await stream_intact(admin, kab, 2)


async def test_the_auditor_reads_everything_and_writes_nothing(
    connect: Any, admin: Client, kab: str
) -> None:
    await append(admin.nc, kab, "donations", 3)
    auditor: Client = await connect("auditor")
    pages = [p async for p in read_pages(auditor.nc, stream_name(kab), f"smart.{kab}.>")]
    assert [e.seq for page in pages for e in page] == [1]
    ref = AggregateRef(Tenant(kab, f"{kab}01"), "donations", "probe", "p1")
    assert [e.seq for e in await EventStore(auditor.nc).load(ref)] == [1]

    for subject in (
        f"smart.{kab}.{kab}00.audit.log.{kab}",
        f"smart.{kab}.{kab}01.donations.probe.p1",
    ):
        assert await fails(auditor.nc.jetstream(timeout=REFUSED_S).publish(subject, b"{}"))
        assert await auditor.refused(subject), subject
    await refused_api(auditor, kab)
    durable = f"$JS.API.CONSUMER.DURABLE.CREATE.{stream_name(kab)}.donations__fund"
    assert await fails(auditor.nc.request(durable, b"{}", timeout=REFUSED_S))
    assert await auditor.refused(durable)
    await auditor.nc.subscribe(f"smartrpc.{kab}.donations.>")
    assert await auditor.refused(f"smartrpc.{kab}.donations.>", "subscription")
    assert await stream_intact(admin, kab, 1)


async def test_the_signer_appends_checkpoints_but_no_other_services_key(
    connect: Any, admin: Client, kab: str
) -> None:
    await EventStore(admin.nc).ensure_stream(kab)
    signer: Client = await connect("audit")
    js = signer.nc.jetstream(timeout=REFUSED_S)
    ack = await js.publish(f"smart.{kab}.{kab}00.audit.log.{kab}", b"{}")
    assert ack.seq == 1
    forged = f"smart.{kab}.{kab}00.audit.keys.donations"
    assert await fails(js.publish(forged, b"{}"))
    assert await signer.refused(forged)
    await refused_api(signer, kab)


async def test_only_the_admin_creates_and_deletes_streams(admin: Client, kab: str) -> None:
    js = admin.nc.jetstream()
    name = await EventStore(admin.nc).ensure_stream(kab)
    assert await js.delete_stream(name)
    assert await fails(js.stream_info(name))


async def test_a_service_runs_on_its_own_role_and_its_kabupaten_was_made_for_it(
    secured: Secured, admin: Client, kab: str
) -> None:
    settings = secured.settings(kab).model_copy(update={"data_dir": secured.data})
    runtime = await open_runtime(DONATIONS, settings)
    try:
        assert await runtime.pool.fetchval("select current_user") == "donations"
        assert runtime.settings.nats_url is not None
        assert runtime.settings.nats_url.startswith("nats://donations:")
        info = await admin.nc.jetstream().stream_info(stream_name(kab))
        assert info.config.deny_delete
        assert await fails(runtime.nc.jetstream(timeout=REFUSED_S).delete_stream(stream_name(kab)))
    finally:
        await close_runtime(runtime)


async def test_the_signer_signs_a_checkpoint_on_its_own_credentials(
    connect: Any, admin: Client, kab: str
) -> None:
    await append(admin.nc, kab, "donations")
    signer: Client = await connect("audit")
    checkpointer = Checkpointer(EventStore(signer.nc), "security-secret")
    signed = await checkpointer.checkpoint(kab)
    assert signed is not None
    assert signed.upto_seq >= 1
    assert not [e for e in signer.errors if "violation" in e]
