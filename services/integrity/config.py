"""The integrity service's own settings, read from SMART_INTEGRITY_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class IntegritySettings(BaseSettings):
    """When an open finding is overdue, and where the findings' data keys live."""

    model_config = SettingsConfigDict(env_prefix="SMART_INTEGRITY_", extra="ignore")

    overdue_days: int = Field(default=30, ge=1, le=3650)
    key_schema: str = Field(default="integrity_keys", pattern=r"^[a-z_][a-z0-9_]*$")
