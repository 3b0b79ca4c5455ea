"""Composition root of the integrity service: its schema, read models, table and deps."""

from __future__ import annotations

from pathlib import Path

from services.integrity.api import API
from services.integrity.deps import KEY_SCHEMA, Deps
from services.integrity.projections import read_models
from shared.events.integrity import SERVICE
from shared.runtime import ServiceSpec

SPEC = ServiceSpec(
    name=SERVICE,
    schema="integrity",
    migrations=Path(__file__).parent / "migrations",
    projections=lambda settings: read_models(),
    api=API,
    deps=Deps.build,
    key_schema=KEY_SCHEMA,
)
