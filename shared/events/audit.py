"""Event contracts of the audit trail: signed checkpoints of a kabupaten's log."""

from __future__ import annotations

from pydantic import Field

from shared.events.base import DomainEvent
from shared.tenancy import AggregateRef, Tenant

SERVICE = "audit"
AGGREGATE = "log"


class LogCheckpointed(DomainEvent):
    """The log of the kabupaten up to `upto_seq` had the running digest `digest` (SHA-256
    chained over every event's sequence and hash, from the first event on), signed with the
    deployment's Ed25519 key. A copy kept outside the system (printed in the SKK report)
    proves later that the log up to there is unchanged.

    v1: first version.
    """

    upto_seq: int = Field(ge=1)
    events: int = Field(ge=1)
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    public_key: str = Field(pattern=r"^[0-9a-f]{64}$")
    signature: str = Field(pattern=r"^[0-9a-f]{128}$")


def checkpoint_ref(kab: str) -> AggregateRef:
    """Kabupaten-wide facts live under the pseudo-kecamatan `<kab>00`."""
    return AggregateRef(Tenant(kab, f"{kab}00"), SERVICE, AGGREGATE, kab)
