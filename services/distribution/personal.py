"""Households' personal data: sealed under per-household keys, looked up by HMAC, masked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.distribution.domain import Sealed
from shared.contracts.distribution import RegisterHousehold
from shared.crypto import KeyStore, lookup_hmac, mask_name, mask_number, open_text, seal_text
from shared.db import DbConn

KEY_SCHEMA = "distribution_keys"


@dataclass(frozen=True)
class Personal:
    """A household's personal data in clear: only ever in memory, never logged."""

    no_kk: str
    nik: str
    name: str
    address: str

    def __repr__(self) -> str:
        return "Personal(<sealed>)"

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @property
    def nik_masked(self) -> str:
        return mask_number(self.nik)


def context(household_id: str) -> str:
    return f"household:{household_id}"


def lookups(secret: str, no_kk: str, nik: str) -> tuple[str, str]:
    """The kabupaten-wide lookup HMACs of a No. KK and a NIK."""
    return lookup_hmac(secret, "no_kk", no_kk), lookup_hmac(secret, "nik", nik)


def seal(secret: str, key: bytes, household_id: str, cmd: RegisterHousehold) -> Sealed:
    clear = {"no_kk": cmd.no_kk, "nik": cmd.nik, "name": cmd.name, "address": cmd.address}
    no_kk_hmac, nik_hmac = lookups(secret, cmd.no_kk, cmd.nik)
    personal = seal_text(key, json.dumps(clear, ensure_ascii=False), context(household_id))
    return Sealed(no_kk_hmac=no_kk_hmac, nik_hmac=nik_hmac, personal=personal)


def unseal(key: bytes, household_id: str, token: str) -> Personal:
    return Personal(**json.loads(open_text(key, token, context(household_id))))


class HouseholdKeys(KeyStore):
    """The households' data keys, in their own schema (never rebuilt, never projected)."""

    def __init__(self, secret: str, pool: asyncpg.Pool | None = None) -> None:
        super().__init__(pool, KEY_SCHEMA, secret)  # type: ignore[arg-type]
        self.secret = secret
        self._ready = False

    async def ready(self) -> None:
        """Create the key schema once per process (concurrent creators: the loser retries)."""
        if self._ready:
            return
        try:
            await self.migrate()
        except asyncpg.UniqueViolationError:
            await self.migrate()
        self._ready = True

    async def key_for(self, key_id: str) -> bytes:
        await self.ready()
        return await super().key_for(key_id)

    async def existing(self, key_id: str) -> bytes | None:
        await self.ready()
        return await super().existing(key_id)

    async def shred(self, key_id: str) -> None:
        await self.ready()
        await super().shred(key_id)

    async def opened(self, conn: DbConn, ids: Sequence[str]) -> dict[str, bytes]:
        """The live keys of these households, read on the caller's connection. No key table
        yet means no key was ever made."""
        table = f"{self.schema}.data_keys"
        if await conn.fetchval("select to_regclass($1)", table) is None:
            return {}
        rows = await conn.fetch(
            f"select key_id, wrapped from {self.schema}.data_keys"
            " where key_id = any($1::text[]) and wrapped is not null",
            list(ids),
        )
        return {r["key_id"]: self._unwrap(r["key_id"], bytes(r["wrapped"])) for r in rows}
