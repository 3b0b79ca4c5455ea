"""The services' command, query and reply contracts, beside their event contracts."""

from __future__ import annotations

import importlib

from shared.contracts.base import Command, Message, Operation, Query, Reply

SERVICES = ("scheduler", "donations", "distribution", "integrity")


def operations() -> tuple[Operation, ...]:
    """Every public operation, service by service, in the order each module lists them."""
    found: list[Operation] = []
    for service in SERVICES:
        module = importlib.import_module(f"shared.contracts.{service}")
        found += module.OPERATIONS
    return tuple(found)


__all__ = ["SERVICES", "Command", "Message", "Operation", "Query", "Reply", "operations"]
