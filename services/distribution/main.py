"""Composition root of the distribution service: its schema, read models, table and deps."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from services.distribution.api import API
from services.distribution.claims import claims_bucket
from services.distribution.deps import Deps
from services.distribution.files import evidence_store
from services.distribution.ledgerview import LedgerProjection
from services.distribution.personal import KEY_SCHEMA
from services.distribution.policies import RoundsDuePolicy
from services.distribution.projections import HouseholdsProjection, KecamatanProjection
from shared.config import Settings
from shared.events.distribution import SERVICE, Aid
from shared.readside.projection import Projection
from shared.runtime import Runtime, ServiceSpec, key_store

MIGRATIONS = Path(__file__).parent / "migrations"


def projections(settings: Settings) -> Sequence[Projection]:
    keys = key_store(KEY_SCHEMA, settings, None)  # it opens keys on the projection's conn
    return [
        HouseholdsProjection(keys),
        LedgerProjection(keys),
        KecamatanProjection(),
        RoundsDuePolicy(),
    ]


def spec(excluding: frozenset[Aid] | None = None, schema: str = SERVICE) -> ServiceSpec:
    """The service as `smart run` starts it; `excluding` overrides the configured aid set."""

    def deps(rt: Runtime) -> Deps:
        return Deps.build(rt, excluding)

    return ServiceSpec(
        SERVICE,
        schema,
        MIGRATIONS,
        projections,
        api=API,
        deps=deps,
        key_schema=KEY_SCHEMA,
        buckets=lambda kab: [claims_bucket(kab), evidence_store(kab)],
    )


SPEC = spec()
