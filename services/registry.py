"""The services a deployment runs: every one whose package exists, in start order."""

from __future__ import annotations

import importlib

from shared.runtime import ServiceSpec

SERVICE_NAMES = ("scheduler", "donations", "distribution", "integrity")


def available_specs(only: list[str] | None = None) -> list[ServiceSpec]:
    specs: list[ServiceSpec] = []
    for name in SERVICE_NAMES:
        if only and name not in only:
            continue
        try:
            module = importlib.import_module(f"services.{name}.main")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(f"services.{name}"):
                continue
            raise
        specs.append(module.SPEC)
    return specs
