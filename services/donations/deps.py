"""What the donations handlers share, and the service's settings (SMART_DONATIONS_*)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.donations.domain import DEFAULT_CEILING_IDR
from services.donations.queries import Queries
from shared.log.aggregate import CommandRunner
from shared.runtime import Runtime


class DonationsSettings(BaseSettings):
    """The donation ceiling and how hard a command on the one fund retries."""

    model_config = SettingsConfigDict(env_prefix="SMART_DONATIONS_", extra="ignore")

    max_donation_idr: int = Field(default=DEFAULT_CEILING_IDR, ge=1)
    command_attempts: int = Field(default=30, ge=1)


@dataclass(frozen=True)
class Deps:
    """The settings, the fund's command runner (one hot aggregate: more retries; it seals
    donors' names) and the read models."""

    settings: DonationsSettings
    runner: CommandRunner
    queries: Queries

    @classmethod
    def build(cls, rt: Runtime, settings: DonationsSettings | None = None) -> Deps:
        chosen = settings or DonationsSettings()
        return cls(
            settings=chosen,
            runner=rt.command_runner(attempts=chosen.command_attempts),
            queries=Queries(rt.pool, rt.schema),
        )
