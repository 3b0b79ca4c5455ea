"""Event signatures, pure: sealed with a service's key, checked by the chain verifier, and
every kind of forgery named (no servers)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.audit.chain import ChainVerifier
from shared.events.audit import key_ref
from shared.events.base import DomainEvent
from shared.log.canonical import GENESIS_HASH, canonical_bytes, chain_hash, stored_hash_ok
from shared.log.envelope import Metadata, seal
from shared.log.reader import StoredEvent
from shared.log.signing import AUDIT, ServiceKey, Signer, derive_key, public_hex
from shared.tenancy import AggregateRef, Tenant

pytestmark = pytest.mark.unit

NOW = datetime(2024, 3, 1, 3, 0, tzinfo=UTC)
META = Metadata(command_id="c1", correlation_id="c1", actor="tester")
KAB = "3520"
SECRET = "unit-secret"


class Counted(DomainEvent):
    """Test contract: a counter moved by `n`. v1."""

    n: int


def ref(service: str = "tally", ident: str = "a") -> AggregateRef:
    return AggregateRef(Tenant(KAB, f"{KAB}05"), service, "counter", ident)


class Log:
    """A kabupaten's stream in memory: events sealed as the store seals them."""

    def __init__(self) -> None:
        self.events: list[StoredEvent] = []
        self.heads: dict[str, tuple[int, str]] = {}

    def add(self, at: AggregateRef, event: DomainEvent, key: ServiceKey | None) -> StoredEvent:
        version, prev = self.heads.get(at.subject, (0, GENESIS_HASH))
        envelope, data = seal(at, version + 1, event, META, prev, NOW, NOW, key)
        self.heads[at.subject] = (version + 1, envelope.hash)
        stored = StoredEvent(len(self.events) + 1, at.subject, data)
        self.events.append(stored)
        return stored

    def register(self, signer: Signer, audit: ServiceKey | None = None) -> StoredEvent:
        at = key_ref(KAB, signer.key.service)
        return self.add(at, signer.registration(), audit or signer.audit)

    def publish(self, subject: str, doc: dict[str, object]) -> StoredEvent:
        stored = StoredEvent(len(self.events) + 1, subject, canonical_bytes(doc))
        self.events.append(stored)
        return stored

    def verify(self, audit_key: str | None = None) -> ChainVerifier:
        verifier = ChainVerifier(audit_key=audit_key)
        verifier.feed(self.events)
        return verifier


def problems(verifier: ChainVerifier) -> list[str]:
    return [str(p) for p in verifier.problems]


def forged(after: StoredEvent, n: int, key: ServiceKey | None = None) -> dict[str, object]:
    """The next event of `after`'s aggregate, its chain recomputed as the project's own
    `shared.log.canonical` does; signed by `key` if given."""
    doc = json.loads(after.data)
    doc.pop("signature", None)
    doc["payload"] = {"n": n}
    doc["event_id"] = "0190a0a0-0000-7000-8000-000000000001"
    doc["aggregate_version"] += 1
    doc["prev_hash"] = doc.pop("hash")
    doc["hash"] = chain_hash(doc)
    if key is not None:
        doc["signature"] = key.sign(after.subject, str(doc["hash"]))
    return doc


TALLY = Signer.derive(SECRET, "tally")
OTHER = Signer.derive(SECRET, "other")


def signed_log() -> tuple[Log, StoredEvent]:
    log = Log()
    log.register(TALLY)
    log.add(ref(), Counted(n=1), TALLY.key)
    last = log.add(ref(), Counted(n=2), TALLY.key)
    return log, last


def test_keys_are_derived_per_service_and_the_audit_key_is_the_checkpoint_key() -> None:
    assert public_hex(derive_key(SECRET, "tally")) == TALLY.key.public
    assert TALLY.key.public != OTHER.key.public != TALLY.audit.public
    assert TALLY.audit.public == OTHER.audit.public == Signer.derive(SECRET, AUDIT).key.public
    assert Signer.derive("another", "tally").key.public != TALLY.key.public
    with pytest.raises(ValueError, match="SMART_SECRET_KEY"):
        derive_key("", "tally")


def test_a_signed_event_keeps_its_hash_and_a_signed_log_verifies() -> None:
    log, last = signed_log()
    ok, doc = stored_hash_ok(last.data)
    assert ok
    assert str(doc["signature"]).startswith("tally:")
    unsigned = {k: v for k, v in doc.items() if k not in ("hash", "signature")}
    assert chain_hash(unsigned) == doc["hash"]  # the hash does not cover the signature
    verifier = log.verify(TALLY.audit.public)
    assert (problems(verifier), verifier.notes()) == ([], [])


def test_an_unsigned_forgery_after_signing_began_is_named() -> None:
    log, last = signed_log()
    bad = log.publish(last.subject, forged(last, 50_000_000))
    assert problems(log.verify()) == [
        f"seq {bad.seq} ({bad.subject}): event 0190a0a0-0000-7000-8000-000000000001 (Counted):"
        " unsigned, though this log is signed from seq 1"
    ]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            ServiceKey("tally", Ed25519PrivateKey.generate()),
            ["the signature by tally does not match"],
        ),
        (OTHER.key, ["whose key is not registered before it", "only tally may sign"]),
    ],
)
def test_a_forgery_signed_with_a_wrong_key_is_named(key: ServiceKey, expected: list[str]) -> None:
    log, last = signed_log()
    log.publish(last.subject, forged(last, 9, key))
    found = problems(log.verify())
    assert len(found) == len(expected)
    assert all(want in got for want, got in zip(expected, found, strict=True))


def test_a_registered_service_signing_another_services_subject_is_named() -> None:
    log, last = signed_log()
    log.register(OTHER)
    bad = log.publish(last.subject, forged(last, 9, OTHER.key))
    assert problems(log.verify()) == [
        f"seq {bad.seq} ({bad.subject}): event 0190a0a0-0000-7000-8000-000000000001 (Counted):"
        " signed by other, but only tally may sign the events of tally"
    ]


def test_a_tampered_payload_under_its_original_signature_is_named() -> None:
    log, last = signed_log()
    doc = forged(last, 9)
    doc["signature"] = json.loads(last.data)["signature"]
    log.publish(last.subject, doc)
    assert [p.split(": ", 2)[-1] for p in problems(log.verify())] == [
        "the signature by tally does not match the event"
    ]


def test_a_key_registered_by_an_attacker_is_named_and_not_taken() -> None:
    log, last = signed_log()
    theirs = Signer(
        ServiceKey("tally", Ed25519PrivateKey.generate()),
        ServiceKey(AUDIT, Ed25519PrivateKey.generate()),
    )
    registration = log.register(theirs)
    log.publish(last.subject, forged(last, 9, theirs.key))
    found = problems(log.verify())
    assert len(found) == 2
    assert found[0].startswith(f"seq {registration.seq} ")
    assert "vouched for by an audit key that is not the one pinned at seq 1" in found[0]
    assert "the signature by tally does not match" in found[1]
    first = Log()  # the attacker's registration first in a log: the deployment's key says
    first.register(theirs)
    assert "not this deployment's" in problems(first.verify(TALLY.audit.public))[0]


def test_events_before_signing_began_are_a_note_not_a_discrepancy() -> None:
    log = Log()
    log.add(ref(), Counted(n=1), None)
    log.add(ref(), Counted(n=2), None)
    assert log.verify().notes() == ["2 events, none signed: this log's signing has not begun"]
    log.register(TALLY)
    log.add(ref(), Counted(n=3), TALLY.key)
    verifier = log.verify()
    assert problems(verifier) == []
    assert verifier.notes() == [
        "2 events unsigned before seq 3, where this log's signing began: they predate signatures"
    ]


def test_a_kecamatans_share_is_checked_with_the_keys_seeded_first() -> None:
    log, last = signed_log()
    log.publish(last.subject, forged(last, 9))
    share = ChainVerifier(contiguous=False)
    share.seed(e for e in log.events if e.subject.startswith(f"smart.{KAB}.{KAB}00."))
    share.feed(e for e in log.events if e.subject == last.subject)
    assert [p.seq for p in share.problems] == [4]
    assert "unsigned" in share.problems[0].problem


def test_a_rotated_key_signs_from_its_registration_on() -> None:
    log, _ = signed_log()
    rotated = Signer(ServiceKey("tally", Ed25519PrivateKey.generate()), TALLY.audit)
    log.register(rotated)
    log.add(ref(ident="b"), Counted(n=1), rotated.key)
    assert problems(log.verify()) == []
    old = log.add(ref(ident="c"), Counted(n=1), TALLY.key)  # the old key, after the rotation
    assert [p.seq for p in log.verify().problems] == [old.seq]


def test_a_range_is_settled_against_the_events_before_it() -> None:
    log, last = signed_log()
    copy = log.publish(last.subject, json.loads(log.events[1].data))  # a genuine event again
    ranged = ChainVerifier(from_seq=copy.seq)
    ranged.seed(log.events[: copy.seq - 1])
    ranged.feed([copy])
    assert ranged.problems == []  # it is signed: only its place in its chain tells
    ranged.settle({last.subject: last})
    assert [str(p).split(": ", 2)[-1] for p in ranged.problems] == [
        "aggregate version 1 follows 2",
        "prev_hash does not chain to the previous event",
    ]
