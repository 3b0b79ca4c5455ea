"""The donations service's own settings, read from SMART_DONATIONS_* environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.donations.domain import DEFAULT_CEILING_IDR


class DonationsSettings(BaseSettings):
    """The donation ceiling, where donors' keys live, how hard a command retries."""

    model_config = SettingsConfigDict(env_prefix="SMART_DONATIONS_", extra="ignore")

    max_donation_idr: int = Field(default=DEFAULT_CEILING_IDR, ge=1)
    key_schema: str = Field(default="donations_keys", pattern=r"^[a-z_][a-z0-9_]*$")
    command_attempts: int = Field(default=30, ge=1)
