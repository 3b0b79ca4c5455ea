"""What the integrity handlers share, and the service's settings (SMART_INTEGRITY_*)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.integrity.queries import Queries
from shared.crypto import lookup_hmac
from shared.runtime import Runtime
from shared.tenancy import Tenant

KEY_SCHEMA = "integrity_keys"


class IntegritySettings(BaseSettings):
    """When an open finding is overdue."""

    model_config = SettingsConfigDict(env_prefix="SMART_INTEGRITY_", extra="ignore")

    overdue_days: int = Field(default=30, ge=1, le=3650)


@dataclass(frozen=True)
class Deps:
    """The settings, the deployment secret (for officials' tokens) and the read models.
    The findings' free text is sealed by the command runner, under each finding's key."""

    settings: IntegritySettings
    secret: str
    queries: Queries

    def official_token(self, tenant: Tenant, reference: str | None) -> str | None:
        """An opaque official reference as an HMAC token of the kecamatan: never in clear."""
        if reference is None:
            return None
        return lookup_hmac(self.secret, f"official:{tenant.kec}", reference)

    @classmethod
    def build(cls, rt: Runtime, settings: IntegritySettings | None = None) -> Deps:
        chosen = settings or IntegritySettings()
        return cls(
            settings=chosen,
            secret=rt.settings.secret_key.get_secret_value(),
            queries=Queries(rt.pool, rt.schema),
        )
