"""Events signed by the service that wrote them, on real NATS and PostgreSQL: a genuine
history verifies; the issue's forged `DonationReceived` (its hash chain recomputed with the
project's own `shared.log.canonical`), one signed with another key or by another service, and
a tampered payload under its original signature are each named by `smart verify`; the
audit signer refuses such a log, says so, and signs again only once an operator resumes."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nats.aio.client import Client as NATS
from uuid6 import uuid7

from services.cli import main, ops
from services.cli import verify as verify_cmd
from services.donations.main import SPEC as DONATIONS
from shared.audit.checkpoints import (
    REFUSED_METRIC,
    Checkpointer,
    RunningDigest,
    checkpoint_forever,
    public_key_hex,
    signing_key,
)
from shared.audit.verdict import verify_kecamatan_log, verify_stream
from shared.clock import utc_now
from shared.config import Settings
from shared.events.audit import (
    LogCheckpointed,
    LogCheckpointRefused,
    checkpoint_ref,
    key_ref,
    refusal_ref,
)
from shared.events.donations import fund_ref
from shared.events.scheduler import Desa, KecamatanConfigured, kecamatan_ref
from shared.log.aggregate import AggregateType, CommandRunner
from shared.log.canonical import canonical_bytes, chain_hash
from shared.log.envelope import Metadata
from shared.log.eventstore import AppendRefused, EventStore
from shared.log.reader import StoredEvent, read_pages
from shared.log.signing import AUDIT, ServiceKey, Signer, owner_of
from shared.metrics import MeteredEventStore, Metrics
from shared.tenancy import Tenant, stream_name
from tests.support import Tallied, eventually, rpc, running, tally, tally_ref

pytestmark = pytest.mark.integration
SECRET = "test-secret"  # the `settings` fixture's
KECAMATAN = AggregateType[int]("scheduler", "kecamatan", lambda: 0, lambda n, e: n + 1)
GIFTS = [250_000, 150_000, 100_000]
FORGED = 50_000_000


def signed(nc: NATS, service: str, secret: str = SECRET) -> EventStore:
    return EventStore(nc, signer=Signer.derive(secret, service))


async def configure(nc: NATS, tenant: Tenant) -> None:
    """The kecamatan's set-up, as the scheduler appends it (signed by the scheduler)."""
    event = KecamatanConfigured(
        kecamatan=tenant.kec_dotted,
        name="Kawedanan",
        desa=[Desa(code=f"{tenant.kec_dotted}.2004", name="Balerejo")],
        units=["Desa Balerejo"],
    )
    cid = str(uuid.uuid4())
    meta = Metadata(command_id=cid, correlation_id=cid, actor="t")
    await CommandRunner(signed(nc, "scheduler")).execute(
        KECAMATAN, kecamatan_ref(tenant), meta, lambda _: [event]
    )


async def donate(nc: NATS, tenant: Tenant, amounts: list[int]) -> int:
    position = 0
    for amount in amounts:
        body = {"unit": "Desa Balerejo", "amount_idr": amount, "received_on": "2024-03-01"}
        reply = await rpc(nc, "donations", "donation_receive", tenant.kab, tenant.kec, body=body)
        assert reply.status == 201, reply
        position = reply.position or position
    return position


async def donated(nc: NATS, tenant: Tenant, position: int) -> int:
    fund = await rpc(nc, "donations", "fund", tenant.kab, tenant.kec, wait_for=position)
    return int(fund.data["donated_idr"])


async def fund(nc: NATS, tenant: Tenant) -> list[StoredEvent]:
    return await EventStore(nc).load(fund_ref(tenant))


async def genuine(nc: NATS, settings: Settings, tenant: Tenant) -> list[StoredEvent]:
    """A kecamatan set up and three gifts received, by the services themselves."""
    await configure(nc, tenant)
    async with running(DONATIONS, settings):
        await donate(nc, tenant, GIFTS)
    return await fund(nc, tenant)


def following(
    after: StoredEvent, payload: dict[str, Any], key: ServiceKey | None = None
) -> dict[str, Any]:
    """An event chained after `after` in its aggregate, with `payload`, its hash recomputed
    with the project's own `shared.log.canonical`; unsigned, or signed with `key`."""
    doc = json.loads(after.data)
    doc.pop("signature", None)
    doc.update(
        payload=payload,
        event_id=str(uuid7()),
        command_id=str(uuid.uuid4()),
        aggregate_version=doc["aggregate_version"] + 1,
        prev_hash=doc.pop("hash"),
    )
    doc["hash"] = chain_hash(doc)
    if key is not None:
        doc["signature"] = key.sign(after.subject, doc["hash"])
    return doc


def forged(after: StoredEvent, amount: int, key: ServiceKey | None = None) -> dict[str, Any]:
    """The next `DonationReceived` of `after`'s fund, for `amount`."""
    payload = json.loads(after.data)["payload"]
    payload.update(
        donation_id=str(uuid.uuid4()),
        amount_idr=amount,
        receipt_no=payload["receipt_no"] + 1,
        balance_after_idr=payload["balance_after_idr"] + amount,
    )
    return following(after, payload, key)


async def publish(nc: NATS, subject: str, doc: dict[str, Any]) -> int:
    """Append as an anonymous client can: straight to the stream, no service involved."""
    return int((await nc.jetstream().publish(subject, canonical_bytes(doc))).seq)


async def stored(nc: NATS, kab: str) -> list[StoredEvent]:
    return [e async for page in read_pages(nc, stream_name(kab), f"smart.{kab}.>") for e in page]


async def test_a_genuine_history_is_signed_by_each_service_and_verifies(
    nc: NATS, settings: Settings, kab: str, kec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = Tenant(kab, kec)
    await configure(nc, tenant)
    async with running(DONATIONS, settings):
        assert await donated(nc, tenant, await donate(nc, tenant, GIFTS)) == sum(GIFTS)
        events = await stored(nc, kab)
        signers = {e.subject: json.loads(e.data)["signature"].split(":")[0] for e in events}
        assert signers == {
            key_ref(kab, "scheduler").subject: AUDIT,
            kecamatan_ref(tenant).subject: "scheduler",
            key_ref(kab, "donations").subject: AUDIT,
            fund_ref(tenant).subject: "donations",
        }
        assert owner_of(fund_ref(tenant).subject) == "donations"
        assert await verify_cmd.verify(settings, ["donations"], [kab]) == 0
        assert await verify_cmd.verify(settings, ["donations"], kec=kec) == 0
    out = capsys.readouterr().out
    assert f"OK   log {stream_name(kab)} ({len(events)} checked)" in out
    assert "note:" not in out  # every event is signed
    assert out.count("VERIFIED: no discrepancy") == 2


async def test_the_issues_forged_donation_fails_verify_naming_its_seq(
    nc: NATS, settings: Settings, kab: str, kec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Appended by an anonymous client with its chain recomputed: the read model shows it
    (projections read the head only), and `smart verify` names it."""
    tenant = Tenant(kab, kec)
    await configure(nc, tenant)
    async with running(DONATIONS, settings):
        await donate(nc, tenant, GIFTS)
        last = (await fund(nc, tenant))[-1]
        doc = forged(last, FORGED)
        seq = await publish(nc, last.subject, doc)
        assert await donated(nc, tenant, seq) == sum(GIFTS) + FORGED
        capsys.readouterr()
        assert await verify_cmd.verify(settings, ["donations"], [kab]) == 1
        assert await verify_cmd.verify(settings, ["donations"], kec=kec) == 1
    out = capsys.readouterr().out
    named = (
        f"seq {seq} ({last.subject}): event {doc['event_id']} (DonationReceived):"
        " unsigned, though this log is signed from seq 1"
    )
    assert f"FAIL log {stream_name(kab)} " in out
    assert f"FAIL log {stream_name(kab)}, kecamatan {kec} " in out
    assert out.count(named) == 2
    assert out.count("FAILED: 1 check(s) found discrepancies") == 2  # the log, not the models


def another_key(_: StoredEvent) -> ServiceKey:
    return ServiceKey("donations", Ed25519PrivateKey.generate())


def schedulers_key(_: StoredEvent) -> ServiceKey:
    return Signer.derive(SECRET, "scheduler").key  # genuine, registered: the wrong service


@pytest.mark.parametrize(
    ("key", "reasons"),
    [
        (another_key, ["the signature by donations does not match the event"]),
        (
            schedulers_key,
            ["signed by scheduler, but only donations may sign the events of donations"],
        ),
    ],
)
async def test_a_donation_signed_with_a_wrong_key_is_named(
    nc: NATS, settings: Settings, kab: str, kec: str, key: Any, reasons: list[str]
) -> None:
    last = (await genuine(nc, settings, Tenant(kab, kec)))[-1]
    doc = forged(last, FORGED, key(last))
    seq = await publish(nc, last.subject, doc)
    verdict = await verify_stream(EventStore(nc), kab, secret=SECRET)
    prefix = f"seq {seq} ({last.subject}): event {doc['event_id']} (DonationReceived): "
    assert verdict.problems == [prefix + reason for reason in reasons]


async def test_a_tampered_payload_under_its_original_signature_is_named(
    nc: NATS, settings: Settings, kab: str, kec: str
) -> None:
    last = (await genuine(nc, settings, Tenant(kab, kec)))[-1]
    doc = forged(last, FORGED)
    doc["signature"] = json.loads(last.data)["signature"]  # the genuine one, kept
    seq = await publish(nc, last.subject, doc)
    verdict = await verify_stream(EventStore(nc), kab, secret=SECRET)
    assert verdict.problems == [
        f"seq {seq} ({last.subject}): event {doc['event_id']} (DonationReceived):"
        " the signature by donations does not match the event"
    ]


async def test_a_key_registered_by_an_attacker_signs_nothing(
    nc: NATS, settings: Settings, kab: str, kec: str
) -> None:
    """An attacker who can append registers a key of their own for donations, vouched for
    by an audit key of their own, and signs the forgery with it."""
    last = (await genuine(nc, settings, Tenant(kab, kec)))[-1]
    theirs = Signer.derive("the attacker's secret", "donations")
    registration = (await EventStore(nc).load(key_ref(kab, "donations")))[-1]
    payload = theirs.registration().model_dump(mode="json")
    doc = following(registration, payload, theirs.audit)
    registered = await publish(nc, registration.subject, doc)
    donation = await publish(nc, last.subject, forged(last, FORGED, theirs.key))
    for secret in (SECRET, None):  # the deployment's audit key, or the one the log pinned
        verdict = await verify_stream(EventStore(nc), kab, secret=secret)
        assert [p.split(" ", 2)[1] for p in verdict.problems] == [str(registered), str(donation)]
        assert "vouched for by an audit key that is not" in verdict.problems[0]
        assert verdict.problems[1].endswith("the signature by donations does not match the event")


async def test_the_audit_signer_refuses_a_forged_log_until_an_operator_resumes(
    nc: NATS,
    settings: Settings,
    kab: str,
    kec: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, metrics = EventStore(nc), Metrics("audit")
    signer = Checkpointer(store, SECRET, metrics)
    last = (await genuine(nc, settings, Tenant(kab, kec)))[-1]
    first = await signer.checkpoint(kab)
    assert first is not None
    bad = await publish(nc, last.subject, forged(last, FORGED))

    with caplog.at_level(logging.ERROR, logger="smart.checkpoints"):
        assert await signer.checkpoint(kab) is None
    assert f"the first seq {bad} ({last.subject})" in caplog.text
    assert "unsigned, though this log is signed" in caplog.text
    assert f"smart checkpoints resume --kab {kab}" in caplog.text
    assert metrics.count(REFUSED_METRIC, stream=stream_name(kab)) == 1

    await tally(nc, kab, [1], store=signed(nc, "tally"))  # the log grows, genuinely
    assert await signer.checkpoint(kab) is None  # still refused: never signed over it
    assert metrics.count(REFUSED_METRIC, stream=stream_name(kab)) == 2
    assert (await store.load(checkpoint_ref(kab)))[-1].event == first  # no checkpoint since
    refusals = [e.event for e in await store.load(refusal_ref(kab))]
    assert len(refusals) == 1
    assert isinstance(refusals[0], LogCheckpointRefused)
    assert refusals[0].at_seq == bad

    capsys.readouterr()
    assert await ops.status(settings) == 1
    shown = capsys.readouterr().out
    assert f"checkpoints of {stream_name(kab)} REFUSED since seq" in shown
    assert f"the first seq {bad} ({last.subject})" in shown

    for name, value in (
        ("SMART_NATS_URL", settings.nats_url),
        ("SMART_DATABASE_URL", settings.database_url),
        ("SMART_SECRET_KEY", SECRET),
    ):
        monkeypatch.setenv(name, str(value))
    resume = ["checkpoints", "resume", "--kab", kab, "--note", "forged gift reported"]
    assert await asyncio.to_thread(main.main, [*resume, "--upto", str(bad - 1)]) == 2
    assert f"does not reach the first discrepancy, at seq {bad}" in capsys.readouterr().err
    assert await asyncio.to_thread(main.main, resume) == 0
    resumed = await signer.checkpoint(kab)
    assert resumed is not None
    assert resumed.upto_seq > bad
    assert await ops.status(settings) == 0
    assert "accepted" in capsys.readouterr().out
    verdict = await verify_stream(store, kab, secret=SECRET)  # accepted, not hidden
    assert [p.split(" ", 2)[1] for p in verdict.problems] == [str(bad)]

    again = (await fund(nc, Tenant(kab, kec)))[-1]
    worse = await publish(nc, again.subject, forged(again, FORGED))
    assert await signer.checkpoint(kab) is None  # a discrepancy after the accepted ones
    refused = (await store.load(refusal_ref(kab)))[-1].event
    assert isinstance(refused, LogCheckpointRefused)
    assert refused.at_seq == worse


async def test_a_checkpoint_forged_over_a_forgery_does_not_carry_it_past_the_signer(
    nc: NATS, settings: Settings, kab: str, kec: str
) -> None:
    """The forger appends a checkpoint of their own after the forged donation, so that the
    signer would start from beyond it: the signer takes only its own checkpoints."""
    store = EventStore(nc)
    signer = Checkpointer(store, SECRET)
    last = (await genuine(nc, settings, Tenant(kab, kec)))[-1]
    assert await signer.checkpoint(kab) is not None
    bad = await publish(nc, last.subject, forged(last, FORGED))
    tail = (await store.load(checkpoint_ref(kab)))[-1]
    payload = {**json.loads(tail.data)["payload"], "upto_seq": bad}
    await publish(nc, tail.subject, following(tail, payload))
    assert await signer.checkpoint(kab) is None
    refused = (await store.load(refusal_ref(kab)))[-1].event
    assert isinstance(refused, LogCheckpointRefused)
    assert (refused.at_seq, refused.problems) == (bad, 2)  # the donation, then the checkpoint


async def test_a_genuine_event_published_again_is_refused_by_the_range_check(
    nc: NATS, settings: Settings, kab: str, kec: str
) -> None:
    """Its signature is genuine: only its place in its aggregate's chain, which began
    before the range the signer checks, gives it away."""
    store = EventStore(nc)
    signer = Checkpointer(store, SECRET)
    events = await genuine(nc, settings, Tenant(kab, kec))
    assert await signer.checkpoint(kab) is not None
    again = await nc.jetstream().publish(events[1].subject, events[1].data)
    assert await signer.checkpoint(kab) is None
    refused = (await store.load(refusal_ref(kab)))[-1].event
    assert isinstance(refused, LogCheckpointRefused)
    assert refused.at_seq == again.seq
    assert f"aggregate version 2 follows {len(events)}" in refused.reason


async def test_a_log_from_before_signatures_verifies_with_a_note_until_signing_begins(
    nc: NATS, kab: str
) -> None:
    store = EventStore(nc)
    await tally(nc, kab, [1, 2])  # written before signatures
    verdict = await verify_stream(store, kab, secret=SECRET)
    assert (verdict.problems, verdict.notes) == (
        [],
        ["2 events, none signed: this log's signing has not begun"],
    )
    signer = Checkpointer(store, SECRET)
    first = await signer.checkpoint(kab)  # signing begins: the audit key registered at 3
    assert first is not None
    await tally(nc, kab, [3], store=signed(nc, "tally"))
    verdict = await verify_stream(store, kab, secret=SECRET)
    assert verdict.problems == []
    assert verdict.notes == [
        "2 events unsigned before seq 3, where this log's signing began: they predate signatures"
    ]
    assert await signer.checkpoint(kab) is not None
    late = await tally(nc, kab, [4])  # an unsigned writer after signing began
    verdict = await verify_stream(store, kab, secret=SECRET)
    assert [p.split(" ", 2)[1] for p in verdict.problems] == [str(late)]
    assert "unsigned, though this log is signed from seq 3" in verdict.problems[0]
    assert await signer.checkpoint(kab) is None


async def test_a_checkpoint_from_before_signatures_is_signed_on_from(nc: NATS, kab: str) -> None:
    """Its envelope is unsigned, but its payload is signed by the audit key: the signer
    takes it and checks only what came after it."""
    store = EventStore(nc)
    await tally(nc, kab, [1, 2])
    running = RunningDigest()
    for event in await stored(nc, kab):
        running.feed(event)
    key = signing_key(SECRET)
    message = f"jumat-smart log {kab} upto 2 digest {running.digest}".encode()
    old = LogCheckpointed(
        upto_seq=2,
        events=2,
        digest=running.digest,
        public_key=public_key_hex(key),
        signature=key.sign(message).hex(),
    )
    meta = Metadata(command_id="old-checkpoint", correlation_id="c", actor="system:audit")
    await store.append(
        checkpoint_ref(kab),
        [old],
        meta,
        expected_last_seq=0,
        version=0,
        prev_hash="",
        now=utc_now(),
    )
    signer = Checkpointer(store, SECRET)
    trusted = (await signer.last(kab))[1]
    assert trusted is not None
    assert trusted.seq == 3
    cp = await signer.checkpoint(kab)  # the audit key's registration at 4, then it
    assert cp is not None
    assert (cp.upto_seq, cp.events) == (4, 4)
    verdict = await verify_stream(store, kab, secret=SECRET, kept_digests={2: running.digest})
    assert verdict.problems == []
    assert verdict.notes == [
        "3 events unsigned before seq 4, where this log's signing began: they predate signatures"
    ]


async def test_a_signing_store_writes_only_its_services_subjects_and_registers_once(
    nc: NATS, kab: str
) -> None:
    meta = Metadata(command_id="c", correlation_id="c", actor="t")
    with pytest.raises(AppendRefused, match="tally signs only its own events, not those of"):
        await signed(nc, "tally").append(
            kecamatan_ref(Tenant(kab, f"{kab}01")),
            [Tallied(n=1)],
            meta,
            expected_last_seq=0,
            version=0,
            prev_hash="",
            now=utc_now(),
        )
    assert not await EventStore(nc).has_stream(kab) or await EventStore(nc).last_seq(kab) == 0
    replicas = [signed(nc, "tally") for _ in range(3)]  # racing to begin signing the log
    await asyncio.gather(*(tally(nc, kab, [1], f"r{i}", store) for i, store in enumerate(replicas)))
    registrations = await EventStore(nc).key_registrations(kab)
    assert [e.subject for e in registrations] == [key_ref(kab, "tally").subject]
    assert (await verify_stream(EventStore(nc), kab, secret=SECRET)).problems == []


async def test_the_signer_running_forever_counts_its_refusals_in_the_stores_metrics(
    nc: NATS, kab: str
) -> None:
    await tally(nc, kab, [1], store=signed(nc, "tally"))
    last = (await EventStore(nc).load(tally_ref(kab)))[-1]
    await publish(nc, last.subject, following(last, {"n": 1000}))
    metrics = Metrics("scheduler")
    task = asyncio.create_task(
        checkpoint_forever(MeteredEventStore(nc, metrics), SECRET, 0.05, [kab])
    )
    try:

        async def twice() -> bool:
            return metrics.count(REFUSED_METRIC, stream=stream_name(kab)) >= 2

        await eventually(twice, timeout=20)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert await EventStore(nc).load(checkpoint_ref(kab)) == []


async def test_kecamatan_verify_checks_signatures_with_the_logs_keys(
    nc: NATS, settings: Settings, kab: str, kec: str
) -> None:
    tenant = Tenant(kab, kec)
    last = (await genuine(nc, settings, tenant))[-1]
    assert (await verify_kecamatan_log(EventStore(nc), tenant)).problems == []
    seq = await publish(nc, last.subject, forged(last, FORGED, another_key(last)))
    verdict = await verify_kecamatan_log(EventStore(nc), tenant)
    assert [p.split(" ", 2)[1] for p in verdict.problems] == [str(seq)]
