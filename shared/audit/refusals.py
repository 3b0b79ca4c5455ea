"""Where the audit signer stands with a kabupaten's log: signing, or refusing since it found
the log broken (`LogCheckpointRefused`) until an operator resumes it (`LogCheckpointResumed`).
Kept in the log itself, signed by the audit key: every signer and `smart status` read it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shared.events.audit import LogCheckpointRefused, LogCheckpointResumed, refusal_ref
from shared.log.eventstore import EventStore
from shared.log.reader import StoredEvent
from shared.tenancy import stream_name


@dataclass(frozen=True)
class Standing:
    """The last refusal still in force (None: signing), where it is in the log, the
    discrepancies operators accepted so far (at or before `accepted_upto`), and the
    refusals aggregate's last event (the next one chains after it)."""

    refused: LogCheckpointRefused | None = None
    refused_seq: int = 0
    accepted_upto: int = 0
    tail: StoredEvent | None = None

    def describe(self, kab: str) -> str:
        refused, stream = self.refused, stream_name(kab)
        if refused is None:
            accepted = f" (discrepancies up to seq {self.accepted_upto} accepted)"
            return f"checkpoints of {stream} are signed{accepted if self.accepted_upto else ''}"
        return (
            f"checkpoints of {stream} REFUSED since seq {self.refused_seq}: the log from seq"
            f" {refused.from_seq} to {refused.upto_seq} does not verify ({refused.problems}"
            f" discrepancies, the first {refused.reason}). {instructions(kab, refused)}"
        )


def instructions(kab: str, refused: LogCheckpointRefused) -> str:
    """What the operator does about a refusal."""
    return (
        f"No checkpoint is signed until an operator runs `smart verify --kab {kab}`, deals"
        " with every discrepancy it names (they stay in the log), and resumes with `smart"
        f" checkpoints resume --kab {kab} --upto {refused.upto_seq} --note '<what was found"
        " and done>'`."
    )


async def standing(
    store: EventStore, kab: str, trust: Callable[[StoredEvent], bool] | None = None
) -> Standing:
    """The refusals aggregate as it stands, taking only the events `trust` accepts (the
    audit key's: anyone else's is a forgery the signer's own check names)."""
    events = await store.load(refusal_ref(kab))
    refused: LogCheckpointRefused | None = None
    refused_seq = accepted = 0
    for stored in events:
        if trust is not None and not trust(stored):
            continue
        event = stored.event
        if isinstance(event, LogCheckpointRefused):
            refused, refused_seq = event, stored.seq
        elif isinstance(event, LogCheckpointResumed):
            refused, accepted = None, max(accepted, event.accepted_upto)
    return Standing(refused, refused_seq, accepted, events[-1] if events else None)
