"""Keeping people out of the log: sealed free text and tokens for official references."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import asyncpg

from shared.crypto import KeyStore, lookup_hmac, seal_text
from shared.tenancy import Tenant


def key_id(tenant: Tenant, finding_id: str) -> str:
    return f"finding:{tenant.kec}:{finding_id}"


class Vault:
    """Seals each finding's free text under the finding's own data key (kept in a schema
    no rebuild touches) and turns an opaque official reference into an HMAC token."""

    def __init__(self, pool: asyncpg.Pool, schema: str, secret: str) -> None:
        self._keys = KeyStore(pool, schema, secret)
        self._secret = secret
        self._ready = False
        self._lock = asyncio.Lock()

    async def keys(self) -> KeyStore:
        async with self._lock:
            if not self._ready:
                await self._keys.migrate()
                self._ready = True
        return self._keys

    async def seal(
        self, tenant: Tenant, finding_id: str, texts: Mapping[str, str]
    ) -> dict[str, str]:
        """Each text sealed under the finding's key, bound to the finding and the field."""
        kid = key_id(tenant, finding_id)
        key = await (await self.keys()).key_for(kid)
        return {name: seal_text(key, text, f"{kid}:{name}") for name, text in texts.items()}

    async def reseal(
        self, tenant: Tenant, finding_id: str, texts: Mapping[str, str]
    ) -> dict[str, str] | None:
        """Each text sealed under the key the finding's recording made; None when it has
        none (a finding never recorded here), and then no key is made."""
        kid = key_id(tenant, finding_id)
        key = await (await self.keys()).existing(kid)
        if key is None:
            return None
        return {name: seal_text(key, text, f"{kid}:{name}") for name, text in texts.items()}

    def official_token(self, tenant: Tenant, reference: str | None) -> str | None:
        if reference is None:
            return None
        return lookup_hmac(self._secret, f"official:{tenant.kec}", reference)
