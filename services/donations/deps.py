"""What the donations handlers share, and the service's settings (SMART_DONATIONS_*)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.donations.domain import DEFAULT_CEILING_IDR
from services.donations.donors import DonorVault
from services.donations.queries import Queries
from shared.aggregate import CommandRunner
from shared.runtime import Runtime


class DonationsSettings(BaseSettings):
    """The donation ceiling, where donors' keys live, how hard a command retries."""

    model_config = SettingsConfigDict(env_prefix="SMART_DONATIONS_", extra="ignore")

    max_donation_idr: int = Field(default=DEFAULT_CEILING_IDR, ge=1)
    key_schema: str = Field(default="donations_keys", pattern=r"^[a-z_][a-z0-9_]*$")
    command_attempts: int = Field(default=30, ge=1)


@dataclass(frozen=True)
class Deps:
    """The settings, the fund's command runner (one hot aggregate: more retries), the
    donors' vault and the read models."""

    settings: DonationsSettings
    runner: CommandRunner
    donors: DonorVault
    queries: Queries

    @classmethod
    def build(cls, rt: Runtime, settings: DonationsSettings | None = None) -> Deps:
        chosen = settings or DonationsSettings()
        secret = rt.settings.secret_key.get_secret_value()
        return cls(
            settings=chosen,
            runner=CommandRunner(rt.store, attempts=chosen.command_attempts),
            donors=DonorVault(rt.pool, chosen.key_schema, secret),
            queries=Queries(rt.pool, rt.schema),
        )
