"""The envelope, its canonical bytes and hash chain, and upcasting: pure, no I/O."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from shared.audit.chain import ChainVerifier
from shared.events.base import DomainEvent, register_upcaster, upcast
from shared.log import envelope
from shared.log.canonical import GENESIS_HASH, canonical_bytes, chain_hash, stored_hash_ok
from shared.log.envelope import (
    Envelope,
    Head,
    MalformedEvent,
    Metadata,
    open_envelope,
    open_head,
    seal,
)
from shared.log.reader import StoredEvent
from shared.tenancy import AggregateRef, Tenant

pytestmark = pytest.mark.unit

NOW = datetime(2023, 4, 7, 1, 0, tzinfo=UTC)
REF = AggregateRef(Tenant("3520", "352005"), "tests", "thing", "t1")
META = Metadata(command_id="c1", correlation_id="c1", actor="tester")


class ThingNamed(DomainEvent):
    """Test contract. v1: `name`; v2: `name` and `alias`."""

    event_version = 2
    name: str
    alias: str


@register_upcaster("ThingNamed", 1)
def _thing_named_v1_to_v2(payload: dict[str, object]) -> dict[str, object]:
    return {**payload, "alias": payload["name"]}


def sealed(n: int, prev: str = GENESIS_HASH) -> tuple[str, bytes]:
    envelope, data = seal(REF, n, ThingNamed(name=f"n{n}", alias="a"), META, prev, NOW, NOW)
    return envelope.hash, data


def test_canonical_bytes_do_not_depend_on_key_order() -> None:
    assert canonical_bytes({"b": 1, "a": "é"}) == canonical_bytes({"a": "é", "b": 1})
    assert canonical_bytes({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


def test_sealed_event_round_trips_and_its_hash_verifies() -> None:
    _, data = sealed(1)
    ok, doc = stored_hash_ok(data)
    assert ok
    envelope = open_envelope(data)
    assert envelope.occurred_at == NOW
    assert doc["occurred_at"] == "2023-04-07T01:00:00Z"
    assert envelope.event() == ThingNamed(name="n1", alias="a")


def test_one_pass_and_envelope_first_reads_agree() -> None:
    """Current-version events are validated in one pass; older ones are upcast. Both give
    the envelope and event the envelope-first path gives."""
    _, data = sealed(1)
    fast, slow = open_envelope(data), Envelope.model_validate_json(data)
    assert fast.model_dump(exclude={"payload"}) == slow.model_dump(exclude={"payload"})
    assert fast.event() == slow.event() == ThingNamed(name="n1", alias="a")
    doc = json.loads(data)
    doc.update(schema_version=1, payload={"name": "old"})
    older = open_envelope(json.dumps(doc).encode())
    assert older.schema_version == 1
    assert older.event() == ThingNamed(name="old", alias="old")


def test_with_one_contract_or_none_registered_events_still_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A process that registered at most one contract (a tool, a test) has no union to
    read in one pass: events open envelope-first."""
    _, data = sealed(1)
    for registered in ({}, {ThingNamed.type_name(): ThingNamed}):
        monkeypatch.setattr(envelope, "contracts", lambda r=registered: r)
        monkeypatch.setattr(envelope, "_ONE_PASS", envelope._OnePass())
        assert open_envelope(data).event() == ThingNamed(name="n1", alias="a")


def test_the_head_gives_what_the_envelope_gives_a_projection() -> None:
    _, data = sealed(1)
    head, event = open_head(data)
    whole = open_envelope(data)
    fields = set(Head.model_fields)
    assert head.model_dump(include=fields) == whole.model_dump(include=fields)
    assert event == whole.event() == ThingNamed(name="n1", alias="a")
    doc = json.loads(data)
    doc.update(schema_version=1, payload={"name": "old"})
    older = json.dumps(doc).encode()
    assert open_head(older)[1] == ThingNamed(name="old", alias="old")
    stored = StoredEvent(1, REF.subject, data)
    assert (stored.head.kecamatan, stored.event) == ("352005", event)


def test_the_head_leaves_the_chain_fields_to_verify() -> None:
    """A projection does not read the hash chain: an event whose chain fields are broken
    still opens by its head (verify names it); a broken head or payload is refused."""
    doc = json.loads(sealed(1)[1])
    doc["hash"] = "not a hash"
    broken_chain = json.dumps(doc).encode()
    assert open_head(broken_chain)[1] == ThingNamed(name="n1", alias="a")
    with pytest.raises(MalformedEvent, match="envelope field hash"):
        open_envelope(broken_chain)
    doc = json.loads(sealed(1)[1])
    doc["kecamatan"] = "35-20"
    with pytest.raises(MalformedEvent, match="envelope field kecamatan"):
        open_head(json.dumps(doc).encode())
    doc = json.loads(sealed(1)[1])
    doc["payload"] = {"name": 5}
    with pytest.raises(MalformedEvent, match="name"):
        open_head(json.dumps(doc).encode())


def test_a_changed_byte_is_detected() -> None:
    _, data = sealed(1)
    assert not stored_hash_ok(data.replace(b'"n1"', b'"n2"'))[0]


def _plainly_ok(stored: bytes) -> bool:
    """The definition `stored_hash_ok` must keep: canonical bytes, and the hash of the rest."""
    doc = json.loads(stored)
    body = {k: v for k, v in doc.items() if k != "hash"}
    return bool(canonical_bytes(doc) == stored and chain_hash(body) == doc["hash"])


def _hashed(body: dict[str, object]) -> bytes:
    return canonical_bytes({**body, "hash": chain_hash(body)})


@pytest.mark.parametrize(
    "stored",
    [
        _hashed({}),  # nothing but the hash
        _hashed({"a": 1}),  # members before `hash` only
        _hashed({"z": [1, {"hash": "x"}]}),  # after only, with a nested `hash` that stays
        _hashed({"a": "é\u2028", "hash_of": None, "has": 1.5, "z": {"b": 2, "a": 1}}),
        _hashed({"a": 1}).replace(b":1", b": 1"),  # a space: not the canonical form
        b'{"hash":"' + b"0" * 64 + b'","a":1}',  # keys out of order
        canonical_bytes({"a": 1, "hash": chain_hash({"a": 2})}),  # someone else's hash
        canonical_bytes({"a": 1, "hash": 7}),  # not even a string
        sealed(1)[1],
        sealed(2, sealed(1)[0])[1].replace(b'"n2"', b'"n3"'),
    ],
)
def test_the_hash_check_is_the_plain_definition(stored: bytes) -> None:
    """It serialises the envelope once (two halves around `hash`); the verdict must be the
    one of serialising the whole and the rest separately."""
    assert stored_hash_ok(stored)[0] is _plainly_ok(stored)


def test_the_chain_links_each_event_to_the_previous_one() -> None:
    h1, d1 = sealed(1)
    _, d2 = sealed(2, h1)
    _, forged = sealed(2, GENESIS_HASH)
    good = ChainVerifier()
    good.feed([StoredEvent(1, REF.subject, d1), StoredEvent(2, REF.subject, d2)])
    assert good.problems == []
    bad = ChainVerifier()
    bad.feed([StoredEvent(1, REF.subject, d1), StoredEvent(2, REF.subject, forged)])
    assert [p.problem.split(": ")[-1] for p in bad.problems] == [
        "prev_hash does not chain to the previous event"
    ]


def test_a_missing_sequence_is_a_gap() -> None:
    h1, d1 = sealed(1)
    _, d2 = sealed(2, h1)
    verifier = ChainVerifier()
    verifier.feed([StoredEvent(1, REF.subject, d1), StoredEvent(3, REF.subject, d2)])
    assert "stream sequences 2..2 are missing" in str(verifier.problems[0])


def test_upcaster_brings_old_payloads_to_the_current_contract() -> None:
    assert upcast("ThingNamed", 1, {"name": "x"}) == ThingNamed(name="x", alias="x")
    with pytest.raises(ValueError, match="newer than this code"):
        upcast("ThingNamed", 3, {"name": "x", "alias": "y"})


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        seal(REF, 1, ThingNamed(name="x", alias="y"), META, GENESIS_HASH, datetime(2023, 1, 1), NOW)  # noqa: DTZ001 - the point of the test


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("event_id"), "event_id"),
        (lambda d: d.update(kecamatan="35.20.05"), "kecamatan"),
        (lambda d: d.update(occurred_at="2023-04-07T01:00:00"), "occurred_at"),
        (lambda d: d.update(hash="xyz"), "hash"),
    ],
)
def test_malformed_envelopes_are_refused_naming_the_field(mutate, field) -> None:  # type: ignore[no-untyped-def]
    _, data = sealed(1)
    doc = json.loads(data)
    mutate(doc)
    with pytest.raises(MalformedEvent, match=f"envelope field {field}"):
        open_envelope(json.dumps(doc).encode())


def test_not_json_and_unknown_types_are_refused() -> None:
    with pytest.raises(MalformedEvent, match="not JSON"):
        open_envelope(b"\xff\x00")
    _, data = sealed(1)
    doc = json.loads(data)
    doc["type"] = "NoSuchEvent"
    with pytest.raises(MalformedEvent, match="no event contract registered"):
        open_envelope(json.dumps(doc).encode()).event()


def test_a_payload_the_contract_refuses_is_malformed() -> None:
    _, data = sealed(1)
    doc = json.loads(data)
    doc["payload"] = {"name": 5, "alias": "a"}
    with pytest.raises(MalformedEvent, match="ThingNamed"):
        open_envelope(json.dumps(doc).encode()).event()
