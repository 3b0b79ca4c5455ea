"""What the integrity handlers share, and the service's settings (SMART_INTEGRITY_*)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.integrity.queries import Queries
from services.integrity.vault import Vault
from shared.runtime import Runtime


class IntegritySettings(BaseSettings):
    """When an open finding is overdue, and where the findings' data keys live."""

    model_config = SettingsConfigDict(env_prefix="SMART_INTEGRITY_", extra="ignore")

    overdue_days: int = Field(default=30, ge=1, le=3650)
    key_schema: str = Field(default="integrity_keys", pattern=r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Deps:
    """The settings, the vault of the findings' free text and the read models."""

    settings: IntegritySettings
    vault: Vault
    queries: Queries

    @classmethod
    def build(cls, rt: Runtime, settings: IntegritySettings | None = None) -> Deps:
        chosen = settings or IntegritySettings()
        secret = rt.settings.secret_key.get_secret_value()
        return cls(
            settings=chosen,
            vault=Vault(rt.pool, chosen.key_schema, secret),
            queries=Queries(rt.pool, rt.schema),
        )
