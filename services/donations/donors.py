"""Donors' names sealed under a data key per donation, kept in a schema no rebuild touches."""

from __future__ import annotations

import asyncio

import asyncpg

from shared.crypto import KeyStore, open_text, seal_text


def _key_id(donation_id: str) -> str:
    return f"donation:{donation_id}"


class DonorVault:
    """Seals a donor's name for the log; reveals it while the donation's key exists."""

    def __init__(self, pool: asyncpg.Pool, schema: str, secret: str) -> None:
        self.pool = pool
        self.schema = schema
        self.secret = secret
        self._keys: KeyStore | None = None
        self._ready = asyncio.Lock()

    async def keys(self) -> KeyStore:
        async with self._ready:
            if self._keys is None:
                keys = KeyStore(self.pool, self.schema, self.secret)
                await keys.migrate()
                self._keys = keys
            return self._keys

    async def seal(self, donation_id: str, name: str) -> str:
        keys = await self.keys()
        key = await keys.key_for(_key_id(donation_id))
        return seal_text(key, " ".join(name.split()), donation_id)

    async def reveal(self, donation_id: str, sealed: str) -> str | None:
        """The donor's name, or None once the donation's key was shredded."""
        key = await (await self.keys()).existing(_key_id(donation_id))
        return None if key is None else open_text(key, sealed, donation_id)
