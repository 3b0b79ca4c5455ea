"""Personal data in the log: per-subject keys (crypto-shredding) and HMAC lookups.

A clear value never enters the log: it is sealed with AES-GCM under a data key of its
subject (a household, a donor), kept by `shared.keys.KeyStore`. Shredding destroys the
data key: the ciphertext stays in the log (so the hash chain still verifies) and can never
be opened.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED_PREFIX = "v1:"


def derive(secret: str, purpose: bytes) -> bytes:
    if not secret:
        raise ValueError("SMART_SECRET_KEY is empty: personal data cannot be protected")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"jumat-smart", info=purpose).derive(
        secret.encode()
    )


def lookup_hmac(secret: str, kind: str, value: str) -> str:
    """A stable, non-reversible lookup token for a number (NIK, No. KK) in a deployment."""
    key = derive(secret, b"lookup")
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def seal_text(data_key: bytes, plaintext: str, context: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(data_key).encrypt(nonce, plaintext.encode(), context.encode())
    return SEALED_PREFIX + base64.b64encode(nonce + sealed).decode()


def open_text(data_key: bytes, token: str, context: str) -> str:
    raw = base64.b64decode(token.removeprefix(SEALED_PREFIX))
    return AESGCM(data_key).decrypt(raw[:12], raw[12:], context.encode()).decode()


def mask_number(number: str) -> str:
    """A 16-digit number keeps its first 4 and last 4 digits: `1234********7890`."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str) -> str:
    """`Siti Aminah` -> `S*** A*****`: each word keeps its first letter only."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())
