"""Canonical JSON bytes and the SHA-256 hash chain over them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64
HASH_KEY = "hash"

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
    when the bytes are the canonical form of the envelope and the hash is that of the rest.

    The envelope is serialised once, not once for the hash and again for the comparison:
    with sorted keys, the canonical form of the envelope is that of the members before
    `hash`, the `hash` member, then the members after it, so both byte forms are made
    from the same two halves."""
    doc = json.loads(stored)
    if not isinstance(doc, dict) or HASH_KEY not in doc:
        return False, doc if isinstance(doc, dict) else {}
    before = _ENCODER.encode({k: v for k, v in doc.items() if k < HASH_KEY})[:-1]
    after = _ENCODER.encode({k: v for k, v in doc.items() if k > HASH_KEY})[1:]
    member = f'"{HASH_KEY}":{_ENCODER.encode(doc[HASH_KEY])}'
    sep_before, sep_after = ("," if len(before) > 1 else ""), ("," if len(after) > 1 else "")
    body = f"{before}{sep_before if sep_after else ''}{after}".encode()
    whole = f"{before}{sep_before}{member}{sep_after}{after}".encode()
    return whole == stored and hashlib.sha256(body).hexdigest() == doc[HASH_KEY], doc
