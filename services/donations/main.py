"""Composition root of the donations service: its schema, read models, table and deps."""

from __future__ import annotations

from pathlib import Path

from services.donations.api import API
from services.donations.deps import Deps
from services.donations.projections import read_models
from shared.events.donations import SERVICE
from shared.runtime import ServiceSpec

SPEC = ServiceSpec(
    name=SERVICE,
    schema="donations",
    migrations=Path(__file__).parent / "migrations",
    projections=lambda settings: read_models(),
    api=API,
    deps=Deps.build,
    key_schema="donations_keys",
)
