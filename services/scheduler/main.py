"""The scheduler's composition root: what `smart run scheduler` starts."""

from __future__ import annotations

from pathlib import Path

from services.scheduler.api import build_router
from services.scheduler.projections import projections
from shared.config import Settings
from shared.projection import Projection
from shared.runtime import ServiceSpec


def _projections(settings: Settings) -> list[Projection]:
    return projections()


SPEC = ServiceSpec(
    name="scheduler",
    schema="scheduler",
    migrations=Path(__file__).parent / "migrations",
    projections=_projections,
    edge=build_router,
)
