"""Personal data in the log: per-subject keys (crypto-shredding) and HMAC lookups.

A clear value never enters the log: it is sealed with AES-GCM under a data key of its
subject (a household, a donor), the data key is stored wrapped by a key derived from the
deployment secret, in a key schema that no rebuild touches. Shredding deletes the data key:
the ciphertext stays in the log (so the hash chain still verifies) and can never be opened.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

import asyncpg
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.db import advisory_key, ident

SEALED_PREFIX = "v1:"


class KeyShredded(LookupError):
    """The subject's data key was deleted: its personal data can no longer be read."""


def _derive(secret: str, purpose: bytes) -> bytes:
    if not secret:
        raise ValueError("SMART_SECRET_KEY is empty: personal data cannot be protected")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"jumat-smart", info=purpose).derive(
        secret.encode()
    )


def lookup_hmac(secret: str, kind: str, value: str) -> str:
    """A stable, non-reversible lookup token for a number (NIK, No. KK) in a deployment."""
    key = _derive(secret, b"lookup")
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def seal_text(data_key: bytes, plaintext: str, context: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(data_key).encrypt(nonce, plaintext.encode(), context.encode())
    return SEALED_PREFIX + base64.b64encode(nonce + sealed).decode()


def open_text(data_key: bytes, token: str, context: str) -> str:
    raw = base64.b64decode(token.removeprefix(SEALED_PREFIX))
    return AESGCM(data_key).decrypt(raw[:12], raw[12:], context.encode()).decode()


class KeyStore:
    """Data keys per subject in `<schema>.data_keys`, wrapped by the deployment's key."""

    def __init__(self, pool: asyncpg.Pool, schema: str, secret: str) -> None:
        self.pool = pool
        self.schema = ident(schema)
        self._kek = AESGCM(_derive(secret, b"key-wrapping"))

    async def migrate(self) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "select pg_advisory_xact_lock($1)", advisory_key("migrate", self.schema)
            )
            await conn.execute(
                f"create schema if not exists {self.schema};"
                f" create table if not exists {self.schema}.data_keys ("
                " key_id text primary key, wrapped bytea, created_at timestamptz not null"
                " default now(), shredded_at timestamptz)"
            )

    def _wrap(self, key_id: str, key: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._kek.encrypt(nonce, key, key_id.encode())

    def _unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        return self._kek.decrypt(wrapped[:12], wrapped[12:], key_id.encode())

    async def key_for(self, key_id: str) -> bytes:
        """The subject's key, created on first use. Raises KeyShredded once shredded."""
        fresh = AESGCM.generate_key(bit_length=256)
        row = await self.pool.fetchrow(
            f"insert into {self.schema}.data_keys(key_id, wrapped) values ($1, $2)"
            f" on conflict (key_id) do update set key_id = excluded.key_id"
            f" returning wrapped",
            key_id,
            self._wrap(key_id, fresh),
        )
        if row is None or row["wrapped"] is None:
            raise KeyShredded(key_id)
        return self._unwrap(key_id, bytes(row["wrapped"]))

    async def existing(self, key_id: str) -> bytes | None:
        """The subject's key if it exists and was not shredded."""
        wrapped = await self.pool.fetchval(
            f"select wrapped from {self.schema}.data_keys where key_id = $1", key_id
        )
        return None if wrapped is None else self._unwrap(key_id, bytes(wrapped))

    async def shred(self, key_id: str) -> None:
        await self.pool.execute(
            f"insert into {self.schema}.data_keys(key_id, wrapped, shredded_at)"
            f" values ($1, null, now()) on conflict (key_id) do update"
            f" set wrapped = null, shredded_at = coalesce({self.schema}.data_keys.shredded_at,"
            f" now())",
            key_id,
        )


def mask_number(number: str) -> str:
    """A 16-digit number keeps its first 4 and last 4 digits: `1234********7890`."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_name(name: str) -> str:
    """`Siti Aminah` -> `S*** A*****`: each word keeps its first letter only."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())
