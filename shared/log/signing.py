"""Who wrote an event: a signing key per service, the signature beside the hash, its check.

* The signature lives beside the hash, as the envelope's `signature` member:
  `<service>:<Ed25519 signature, hex>` over `jumat-smart event <subject> <hash>`. The hash
  already covers every other member (payload, times, `prev_hash`), so signing it signs the
  event, and the subject binds it to its place in the log; the verifier checks it with no
  second serialisation of the envelope. The hash does not cover the signature
  (`shared.log.canonical.stored_hash_ok`), so events from before signatures keep their hashes
  and a chain link never depends on who signed.
* Each service's key is derived from the deployment secret with HKDF (info
  `event-signing:<service>`), as the checkpoint key is (info `checkpoint`): nothing more to
  keep, back up or hand out. The audit service signs with the checkpoint key itself.
* A service may sign only its own subjects (`smart.<kab>.<kec>.<service>.>`): the store
  refuses anything else, and the verifier names an event signed by another service.
* The public keys are in the log: a `ServiceKeyRegistered` per service per kabupaten
  stream, appended before the service's first event there and signed by the audit key.
  The log's first registration pins that audit key; a registration vouched for by another
  key is named as a forgery (against the deployment's own key when the verifier has the
  secret), and the external witness pins the checkpoints, registrations included.
* Signing begins in a log at its first registration. The events before it are from before
  signatures (an upgraded deployment's): they are counted in a note, not named as
  forgeries, since nothing can be said of them that the hash chain and the checkpoints do
  not say already. From there on every event must be signed: one that is not is named.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import ValidationError

from shared.events.audit import KEYS_AGGREGATE, ServiceKeyRegistered
from shared.events.audit import SERVICE as AUDIT
from shared.log.canonical import SIGNATURE_KEY

SIGNATURE_PATTERN = r"^[A-Za-z0-9_-]+:[0-9a-f]{128}$"
_SIGNATURE = re.compile(r"^([A-Za-z0-9_-]+):([0-9a-f]{128})$")

__all__ = ["AUDIT", "ServiceKey", "SignatureCheck", "Signer", "derive_key", "owner_of"]


def derive_key(secret: str, service: str) -> Ed25519PrivateKey:
    """The Ed25519 key of `service`, derived from the deployment secret; the audit
    service's is the checkpoint key."""
    if not secret:
        raise ValueError(f"SMART_SECRET_KEY is empty: {service} cannot sign its events")
    info = b"checkpoint" if service == AUDIT else f"event-signing:{service}".encode()
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"jumat-smart", info=info)
    return Ed25519PrivateKey.from_private_bytes(seed.derive(secret.encode()))


def public_hex(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def message(subject: str, event_hash: str) -> bytes:
    """What an event's signature signs: its subject and its hash."""
    return f"jumat-smart event {subject} {event_hash}".encode()


def owner_of(subject: str) -> str:
    """The service whose events a subject holds: `smart.<kab>.<kec>.<service>.<type>.<id>`."""
    parts = subject.split(".")
    return parts[3] if len(parts) == 6 else "?"


@dataclass(frozen=True)
class ServiceKey:
    """One service's signing key."""

    service: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> str:
        return public_hex(self.private)

    def sign(self, subject: str, event_hash: str) -> str:
        """The `signature` member of an event with this hash on this subject."""
        return f"{self.service}:{self.private.sign(message(subject, event_hash)).hex()}"


@dataclass(frozen=True)
class Signer:
    """What an event store signs with: its service's key, and the audit key that registers
    it in each log."""

    key: ServiceKey
    audit: ServiceKey

    @classmethod
    def derive(cls, secret: str, service: str) -> Signer:
        audit = ServiceKey(AUDIT, derive_key(secret, AUDIT))
        return cls(
            audit if service == AUDIT else ServiceKey(service, derive_key(secret, service)), audit
        )

    def registration(self) -> ServiceKeyRegistered:
        return ServiceKeyRegistered(
            service=self.key.service, public_key=self.key.public, audit_key=self.audit.public
        )


def signed_by(subject: str, doc: dict[str, Any], service: str, public: str) -> bool:
    """Whether an event (its decoded envelope) is signed by `service` with key `public`."""
    signer, signature = _parts(doc.get(SIGNATURE_KEY))
    if signer != service:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public)).verify(
            bytes.fromhex(signature), message(subject, str(doc.get("hash")))
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def is_registration(subject: str) -> bool:
    parts = subject.split(".")
    return len(parts) == 6 and parts[3] == AUDIT and parts[4] == KEYS_AGGREGATE


@dataclass
class SignatureCheck:
    """Fed a log's events in stream order (its key registrations may come first, `seed`),
    it names each event that is unsigned once the log's signing began, whose signer has no
    key registered before it, whose signature does not match, or that is signed by a
    service other than its subject's. `audit_key`, when known (from the deployment secret),
    is the only one that may vouch for a key; else the log's first registration pins it."""

    audit_key: str | None = None
    pinned: str | None = None
    pinned_at: int = 0
    began: int | None = None
    unsigned_before: int = 0
    keys: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    _taken: set[int] = field(default_factory=set)
    _public: dict[str, Ed25519PublicKey] = field(default_factory=dict)

    def check(self, seq: int, subject: str, doc: dict[str, Any], hash_ok: bool) -> list[str]:
        """The problems of one event, as `event <id> (<type>): ...` texts."""
        if is_registration(subject) and doc.get("type") == ServiceKeyRegistered.type_name():
            return self.register(seq, subject, doc, hash_ok)
        return self._signed(seq, subject, doc)

    def register(self, seq: int, subject: str, doc: dict[str, Any], hash_ok: bool) -> list[str]:
        """Take the key a registration names, if it is intact and vouched for by the audit
        key; else say why not."""
        if seq in self._taken:
            return []
        try:
            reg = ServiceKeyRegistered.model_validate(doc.get("payload"))
        except ValidationError:
            return [f"{_what(doc)}: not a valid key registration"]
        problem = self._refused(reg, subject, doc)
        if problem is not None:
            return [f"{_what(doc)}: {problem}"]
        if hash_ok:  # else the broken hash is named already, and no key is taken from it
            if self.pinned is None:
                self.pinned, self.pinned_at = reg.audit_key, seq
            entries = self.keys.setdefault(reg.service, [])
            entries.insert(bisect_left(entries, (seq, "")), (seq, reg.public_key))
            self.began = seq if self.began is None else min(self.began, seq)
            self._taken.add(seq)
        return []

    def _refused(self, reg: ServiceKeyRegistered, subject: str, doc: dict[str, Any]) -> str | None:
        """Why a registration's key is not taken, if it is not."""
        if reg.service != subject.rsplit(".", 1)[-1]:
            return f"registers a key of {reg.service} under another service's subject"
        pin = self.audit_key or self.pinned
        if pin is not None and reg.audit_key != pin:
            whose = (
                "this deployment's" if self.audit_key else f"the one pinned at seq {self.pinned_at}"
            )
            return f"a key of {reg.service} vouched for by an audit key that is not {whose}"
        if reg.service == AUDIT and reg.public_key != reg.audit_key:
            return "registers an audit key other than the one that vouches for it"
        signer, signature = _parts(doc.get(SIGNATURE_KEY))
        if signer != AUDIT or not self._matches(signature, subject, doc, reg.audit_key):
            return f"the key registration of {reg.service} is not signed by its audit key"
        return None

    def notes(self) -> list[str]:
        """What is worth saying but is no discrepancy: the events from before signing."""
        if not self.unsigned_before:
            return []
        if self.began is None:
            return [f"{self.unsigned_before} events, none signed: this log's signing has not begun"]
        return [
            f"{self.unsigned_before} events unsigned before seq {self.began}, where this log's"
            " signing began: they predate signatures"
        ]

    def _signed(self, seq: int, subject: str, doc: dict[str, Any]) -> list[str]:
        what, owner = _what(doc), owner_of(subject)
        if SIGNATURE_KEY not in doc:
            if self.began is None or seq < self.began:
                self.unsigned_before += 1
                return []
            return [f"{what}: unsigned, though this log is signed from seq {self.began}"]
        signer, signature = _parts(doc[SIGNATURE_KEY])
        if signer is None:
            return [f"{what}: its signature is not <service>:<Ed25519 signature in hex>"]
        problems = []
        key = self._key_at(signer, seq)
        if key is None:
            problems.append(f"{what}: signed by {signer}, whose key is not registered before it")
        elif not self._matches(signature, subject, doc, key):
            problems.append(f"{what}: the signature by {signer} does not match the event")
        if signer != owner:
            problems.append(
                f"{what}: signed by {signer}, but only {owner} may sign the events of {owner}"
            )
        return problems

    def _key_at(self, service: str, seq: int) -> str | None:
        """The key of `service` in force at `seq`: its last registration before it."""
        if service == AUDIT and self.pinned is not None and self.pinned_at < seq:
            return self.pinned
        entries = self.keys.get(service)
        if not entries:
            return None
        if entries[-1][0] < seq:
            return entries[-1][1]
        index = bisect_left(entries, (seq, ""))
        return entries[index - 1][1] if index else None

    def _matches(self, signature: str, subject: str, doc: dict[str, Any], key: str) -> bool:
        public = self._public.get(key)
        if public is None:
            public = self._public[key] = Ed25519PublicKey.from_public_bytes(bytes.fromhex(key))
        try:
            public.verify(bytes.fromhex(signature), message(subject, str(doc.get("hash"))))
        except InvalidSignature:
            return False
        return True


def _parts(signature: object) -> tuple[str | None, str]:
    """(signer, signature hex) of a `signature` member; (None, "") if it is malformed."""
    found = _SIGNATURE.match(signature) if isinstance(signature, str) else None
    return (found.group(1), found.group(2)) if found else (None, "")


def _what(doc: dict[str, Any]) -> str:
    return f"event {doc.get('event_id')} ({doc.get('type')})"
