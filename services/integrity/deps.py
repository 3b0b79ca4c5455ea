"""What the integrity handlers share, and the service's settings (SMART_INTEGRITY_*)."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.integrity.domain import official_key
from services.integrity.queries import Queries
from shared.keys import KeyStore
from shared.runtime import Runtime
from shared.tenancy import Tenant

KEY_SCHEMA = "integrity_keys"
OFFICIAL_NAMESPACE = uuid.UUID("2c8e4a71-5d3b-4f0e-8b6a-9e1d7c3f5a20")


class IntegritySettings(BaseSettings):
    """When an open finding is overdue."""

    model_config = SettingsConfigDict(env_prefix="SMART_INTEGRITY_", extra="ignore")

    overdue_days: int = Field(default=30, ge=1, le=3650)


def official_lookup_key(tenant: Tenant) -> str:
    """The key-store id of the kabupaten's official-lookup key: one kabupaten-wide, so an
    official keeps their id from one kecamatan to the next."""
    return f"official-lookup:{tenant.kab}"


@dataclass(frozen=True)
class Deps:
    """The settings, the key store (the officials' lookup key) and the read models. The
    findings' free text is sealed by the command runner, under each finding's key."""

    settings: IntegritySettings
    keys: KeyStore
    queries: Queries

    async def official_id(self, tenant: Tenant, official: str | None) -> str | None:
        """The id of the official named (the same for the same NIP or name): a UUID of an
        HMAC under a random key of the key store, made on first use. Not the deployment
        secret: whoever holds the log and the secret still cannot try NIPs against it
        without the key directory's KEK as well."""
        if official is None:
            return None
        key_id = official_lookup_key(tenant)
        keys, _ = await self.keys.create([key_id])
        mac = hmac.new(keys[key_id], official_key(official).encode(), hashlib.sha256)
        return str(uuid.uuid5(OFFICIAL_NAMESPACE, mac.hexdigest()))

    @classmethod
    def build(cls, rt: Runtime, settings: IntegritySettings | None = None) -> Deps:
        if rt.keys is None:
            raise RuntimeError("the integrity service runs with its key store")
        return cls(
            settings=settings or IntegritySettings(),
            keys=rt.keys,
            queries=Queries(rt.pool, rt.schema),
        )
