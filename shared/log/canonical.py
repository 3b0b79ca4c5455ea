"""Canonical JSON bytes and the SHA-256 hash chain over them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64
HASH_KEY = "hash"
SIGNATURE_KEY = "signature"
_BESIDE = (HASH_KEY, SIGNATURE_KEY)  # in sorted order

# One encoder for every call: json.dumps with these options would build a new one each time.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_bytes(value: Any) -> bytes:
    """One byte form per JSON value: sorted keys, no spaces, UTF-8."""
    return _ENCODER.encode(value).encode("utf-8")


def chain_hash(envelope_without_hash: dict[str, Any]) -> str:
    """The event's hash: SHA-256 over its canonical bytes, which carry `prev_hash`."""
    return hashlib.sha256(canonical_bytes(envelope_without_hash)).hexdigest()


def stored_hash_ok(stored: bytes) -> tuple[bool, dict[str, Any]]:
    """Recompute the hash of an event as stored; (matches, the decoded envelope). It matches
    when the bytes are the canonical form of the envelope and the hash is that of the rest
    but its `signature` (which signs the hash, so lies beside it: `shared.log.signing`).

    The envelope is serialised once, not once for the hash and again for the comparison:
    with sorted keys, the canonical form of the envelope is that of the members between
    `hash` and `signature`, each run encoded once, with those two members spliced in; the
    hashed form is the same runs without them."""
    doc = json.loads(stored)
    if not isinstance(doc, dict) or HASH_KEY not in doc:
        return False, doc if isinstance(doc, dict) else {}
    runs = [
        _ENCODER.encode({k: v for k, v in doc.items() if k < HASH_KEY})[1:-1],
        _ENCODER.encode({k: v for k, v in doc.items() if HASH_KEY < k < SIGNATURE_KEY})[1:-1],
        _ENCODER.encode({k: v for k, v in doc.items() if k > SIGNATURE_KEY})[1:-1],
    ]
    beside = [f'"{key}":{_ENCODER.encode(doc[key])}' if key in doc else "" for key in _BESIDE]
    body = ",".join(run for run in runs if run)
    whole = ",".join(part for part in (runs[0], beside[0], runs[1], beside[1], runs[2]) if part)
    canonical = f"{{{whole}}}".encode() == stored
    return canonical and hashlib.sha256(f"{{{body}}}".encode()).hexdigest() == doc[HASH_KEY], doc
