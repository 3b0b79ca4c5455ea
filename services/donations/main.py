"""Composition root of the donations service: its schema, read models and NATS edge."""

from __future__ import annotations

from pathlib import Path

from services.donations.api import build_router
from services.donations.projections import read_models
from shared.events.donations import SERVICE
from shared.runtime import ServiceSpec

SPEC = ServiceSpec(
    name=SERVICE,
    schema="donations",
    migrations=Path(__file__).parent / "migrations",
    projections=lambda settings: read_models(),
    router=build_router,
)
