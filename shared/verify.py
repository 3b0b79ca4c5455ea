"""Checking the log: every aggregate's hash chain and the stream's sequence continuity."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from shared.canonical import GENESIS_HASH, stored_hash_ok
from shared.logreader import StoredEvent


@dataclass(frozen=True)
class Discrepancy:
    seq: int
    subject: str
    problem: str

    def __str__(self) -> str:
        return f"seq {self.seq} ({self.subject}): {self.problem}"


@dataclass
class ChainVerifier:
    """Feed it the stream in order; it remembers each aggregate's last hash and version.
    Fed only some subjects (`contiguous=False`), the stream's sequences have gaps by design,
    so only the aggregates' chains are checked."""

    last: dict[str, tuple[int, str]] = field(default_factory=dict)
    expected_seq: int = 1
    problems: list[Discrepancy] = field(default_factory=list)
    checked: int = 0
    contiguous: bool = True

    def feed(self, events: Iterable[StoredEvent]) -> None:
        for event in events:
            self._check(event)

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
        version, prev = self.last.get(event.subject, (0, GENESIS_HASH))
        if doc.get("aggregate_version") != version + 1:
            self.problems.append(
                Discrepancy(
                    event.seq,
                    event.subject,
                    f"event {doc.get('event_id')}: aggregate version {doc.get('aggregate_version')}"
                    f" follows {version}",
                )
            )
        if doc.get("prev_hash") != prev:
            self.problems.append(
                Discrepancy(
                    event.seq,
                    event.subject,
                    f"event {doc.get('event_id')}: prev_hash does not chain to the previous event",
                )
            )
        self.last[event.subject] = (int(doc.get("aggregate_version") or 0), str(doc.get("hash")))

    def finish(self, last_seq: int) -> None:
        """Call with the stream's last sequence: a gap at the end is a removal too."""
        if self.contiguous and self.expected_seq <= last_seq:
            self.problems.append(
                Discrepancy(
                    last_seq, "-", f"stream sequences {self.expected_seq}..{last_seq} are missing"
                )
            )
