"""Composition root of the scheduler service: its schema, read models, table and deps."""

from __future__ import annotations

from pathlib import Path

from services.scheduler.api import API
from services.scheduler.deps import Deps
from services.scheduler.projections import projections
from shared.events.scheduler import SERVICE
from shared.runtime import ServiceSpec

SPEC = ServiceSpec(
    name=SERVICE,
    schema="scheduler",
    migrations=Path(__file__).parent / "migrations",
    projections=lambda settings: projections(),
    api=API,
    deps=Deps.build,
)
