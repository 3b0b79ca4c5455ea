"""Canonical JSON bytes and the SHA-256 hash chain over them."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_bytes(value: Any) -> bytes:
    """One byte form per JSON value: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def chain_hash(envelope_without_hash: dict[str, Any]) -> str:
    """The event's hash: SHA-256 over its canonical bytes, which carry `prev_hash`."""
    return hashlib.sha256(canonical_bytes(envelope_without_hash)).hexdigest()


def stored_hash_ok(stored: bytes) -> tuple[bool, dict[str, Any]]:
    """Recompute the hash of an event as stored; (matches, the decoded envelope)."""
    doc = json.loads(stored)
    if not isinstance(doc, dict) or "hash" not in doc:
        return False, doc if isinstance(doc, dict) else {}
    claimed = doc["hash"]
    body = {k: v for k, v in doc.items() if k != "hash"}
    return chain_hash(body) == claimed and canonical_bytes(doc) == stored, doc
