"""Composition root of the distribution service: its settings, read models and edge."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from faststream.nats import NatsRouter
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.distribution.api import build_router
from services.distribution.domain import DEFAULT_EXCLUDING_AID
from services.distribution.handlers import build_service
from services.distribution.personal import HouseholdKeys
from services.distribution.policies import RoundsDuePolicy
from services.distribution.projections import (
    HouseholdsProjection,
    KecamatanProjection,
    LedgerProjection,
)
from shared.config import Settings
from shared.events.distribution import SERVICE, Aid
from shared.projection import Projection
from shared.runtime import Runtime, ServiceSpec

MIGRATIONS = Path(__file__).parent / "migrations"


class DistributionSettings(BaseSettings):
    """`SMART_DISTRIBUTION_EXCLUDING_AID`: the aid that makes a household not a priority."""

    model_config = SettingsConfigDict(env_prefix="SMART_DISTRIBUTION_", extra="ignore")

    excluding_aid: str = ",".join(sorted(DEFAULT_EXCLUDING_AID))

    def excluding(self) -> frozenset[Aid]:
        return frozenset(Aid(a.strip()) for a in self.excluding_aid.split(",") if a.strip())


def projections(settings: Settings) -> Sequence[Projection]:
    keys = HouseholdKeys(settings.secret_key.get_secret_value())
    return [
        HouseholdsProjection(keys),
        LedgerProjection(),
        KecamatanProjection(),
        RoundsDuePolicy(),
    ]


def spec(excluding: frozenset[Aid] | None = None, schema: str = SERVICE) -> ServiceSpec:
    """The service as `smart run` starts it; `excluding` overrides the configured aid set."""

    def router(rt: Runtime) -> NatsRouter:
        chosen = DistributionSettings().excluding() if excluding is None else excluding
        return build_router(build_service(rt, chosen))

    return ServiceSpec(SERVICE, schema, MIGRATIONS, projections, edge=router)


SPEC = spec()
