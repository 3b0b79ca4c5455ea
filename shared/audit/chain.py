"""Checking the log: every aggregate's hash chain, every event's signature, and the stream's
sequence continuity."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.log.canonical import GENESIS_HASH, stored_hash_ok
from shared.log.reader import StoredEvent
from shared.log.signing import SignatureCheck, is_registration

_LINK = ("event_id", "aggregate_version", "prev_hash")


@dataclass(frozen=True)
class Discrepancy:
    seq: int
    subject: str
    problem: str

    def __str__(self) -> str:
        return f"seq {self.seq} ({self.subject}): {self.problem}"


@dataclass
class ChainVerifier:
    """Feed it the stream in order; it remembers each aggregate's last hash and version,
    and the services' keys registered so far (`shared.log.signing`). Fed only some subjects
    (`contiguous=False`), the stream's sequences have gaps by design, so only the
    aggregates' chains and the signatures are checked (`seed` it with the log's key
    registrations first). Fed a range from `from_seq`, an aggregate's chain is picked up at
    its first event there, and `settle` checks that link against the events before it.
    `audit_key`, when known, is the deployment's: the only one that may vouch for a key."""

    last: dict[str, tuple[int, str]] = field(default_factory=dict)
    expected_seq: int = 1
    problems: list[Discrepancy] = field(default_factory=list)
    checked: int = 0
    contiguous: bool = True
    audit_key: str | None = None
    from_seq: int = 1
    signatures: SignatureCheck = field(init=False)
    openings: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.signatures = SignatureCheck(self.audit_key)
        self.expected_seq = max(self.expected_seq, self.from_seq)

    def feed(self, events: Iterable[StoredEvent]) -> None:
        for event in events:
            self._check(event)

    def seed(self, registrations: Iterable[StoredEvent]) -> None:
        """Take the key registrations of the log (those not fed in order): the ones before
        a range, or all of them for a kecamatan's share. Named if forged."""
        for event in registrations:
            if is_registration(event.subject):
                ok, doc = stored_hash_ok(event.data)
                found = self.signatures.register(event.seq, event.subject, doc, ok)
                self.problems += [Discrepancy(event.seq, event.subject, p) for p in found]

    def notes(self) -> list[str]:
        """What is not a discrepancy but worth saying (events from before signatures)."""
        return self.signatures.notes()

    def _check(self, event: StoredEvent) -> None:
        self.checked += 1
        if self.contiguous and event.seq != self.expected_seq:
            self.problems.append(
                Discrepancy(
                    event.seq,
                    event.subject,
                    f"stream sequences {self.expected_seq}..{event.seq - 1} are missing",
                )
            )
        self.expected_seq = event.seq + 1
        try:
            ok, doc = stored_hash_ok(event.data)
        except ValueError as exc:
            self.problems.append(Discrepancy(event.seq, event.subject, f"not JSON: {exc}"))
            return
        if not ok:
            self.problems.append(
                Discrepancy(
                    event.seq,
                    event.subject,
                    f"event {doc.get('event_id')} ({doc.get('type')}):"
                    " hash does not match its bytes",
                )
            )
        for problem in self.signatures.check(event.seq, event.subject, doc, ok):
            self.problems.append(Discrepancy(event.seq, event.subject, problem))
        known = self.last.get(event.subject)
        if known is None and self.from_seq > 1:
            self.openings[event.subject] = (event.seq, {k: doc.get(k) for k in _LINK})
        else:
            self._link(event.seq, event.subject, doc, known or (0, GENESIS_HASH))
        self.last[event.subject] = (int(doc.get("aggregate_version") or 0), str(doc.get("hash")))

    def _link(self, seq: int, subject: str, doc: dict[str, Any], before: tuple[int, str]) -> None:
        """The event follows `before`, its aggregate's (version, hash) before it."""
        version, prev = before
        if doc.get("aggregate_version") != version + 1:
            self.problems.append(
                Discrepancy(
                    seq,
                    subject,
                    f"event {doc.get('event_id')}: aggregate version {doc.get('aggregate_version')}"
                    f" follows {version}",
                )
            )
        if doc.get("prev_hash") != prev:
            self.problems.append(
                Discrepancy(
                    seq,
                    subject,
                    f"event {doc.get('event_id')}: prev_hash does not chain to the previous event",
                )
            )

    def settle(self, before: Mapping[str, StoredEvent]) -> None:
        """Check each aggregate's first event in the range against its last event before
        the range (`before`, by subject; none for an aggregate that starts in the range)."""
        for subject, (seq, doc) in sorted(self.openings.items(), key=lambda item: item[1][0]):
            earlier = before.get(subject)
            link = (0, GENESIS_HASH)
            if earlier is not None:
                prior = json.loads(earlier.data)
                link = (int(prior.get("aggregate_version") or 0), str(prior.get("hash")))
            self._link(seq, subject, doc, link)
        self.openings.clear()

    def finish(self, last_seq: int) -> None:
        """Call with the stream's last sequence: a gap at the end is a removal too."""
        if self.contiguous and self.expected_seq <= last_seq:
            self.problems.append(
                Discrepancy(
                    last_seq, "-", f"stream sequences {self.expected_seq}..{last_seq} are missing"
                )
            )
