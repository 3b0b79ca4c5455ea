"""Event contracts of the audit trail: signed checkpoints of a kabupaten's log, the services'
signing keys, and the audit signer's refusals."""

from __future__ import annotations

from pydantic import Field

from shared.events.base import DomainEvent
from shared.tenancy import AggregateRef, Tenant

SERVICE = "audit"
AGGREGATE = "log"
KEYS_AGGREGATE = "keys"
REFUSALS_AGGREGATE = "refusals"
_HEX64 = r"^[0-9a-f]{64}$"


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


class ServiceKeyRegistered(DomainEvent):
    """From this event on, the events of `service` in this kabupaten's log are signed with
    the Ed25519 key `public_key` (its events are those of its subjects,
    `smart.<kab>.<kec>.<service>.>`). The registration is vouched for by the deployment's
    audit key `audit_key` (the one that signs checkpoints), which signs this event itself;
    the log's first registration pins that key, so a registration vouched for by another
    is a forgery. For `service` "audit", `public_key` is `audit_key`. A service appends its
    registration before its first event in the log (`shared.log.signing`).

    v1: first version.
    """

    service: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    public_key: str = Field(pattern=_HEX64)
    audit_key: str = Field(pattern=_HEX64)


class LogCheckpointRefused(DomainEvent):
    """The audit signer would not sign the log from `from_seq` to `upto_seq`: it does not
    verify (`problems` discrepancies; the first at `at_seq`, `reason`). No checkpoint of
    this log is signed until an operator resumes them (`LogCheckpointResumed`).

    v1: first version.
    """

    from_seq: int = Field(ge=1)
    upto_seq: int = Field(ge=1)
    at_seq: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=2000)
    problems: int = Field(ge=1)


class LogCheckpointResumed(DomainEvent):
    """An operator examined a refusal and resumed the signing of checkpoints: the
    discrepancies at or before `accepted_upto` stay in the log as they are (`smart verify`
    still names them) and no longer stop the signer; one after it stops it again. `note`
    says what was found and done.

    v1: first version.
    """

    accepted_upto: int = Field(ge=1)
    note: str = Field(min_length=1, max_length=2000)


def _kabupaten_wide(kab: str, aggregate: str, ident: str) -> AggregateRef:
    """Kabupaten-wide facts live under the pseudo-kecamatan `<kab>00`."""
    return AggregateRef(Tenant(kab, f"{kab}00"), SERVICE, aggregate, ident)


def checkpoint_ref(kab: str) -> AggregateRef:
    return _kabupaten_wide(kab, AGGREGATE, kab)


def key_ref(kab: str, service: str) -> AggregateRef:
    """The registrations of one service's signing key in a kabupaten's log."""
    return _kabupaten_wide(kab, KEYS_AGGREGATE, service)


def keys_filter(kab: str) -> str:
    """A subject filter for every service's key registrations in a kabupaten's log."""
    return key_ref(kab, "_").subject.rsplit(".", 1)[0] + ".*"


def refusal_ref(kab: str) -> AggregateRef:
    """The audit signer's refusals to sign a kabupaten's log, and their resumptions."""
    return _kabupaten_wide(kab, REFUSALS_AGGREGATE, kab)
