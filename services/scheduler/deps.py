"""What the scheduler handlers share: the command runner and the read models (no settings)."""

from __future__ import annotations

from dataclasses import dataclass

from services.scheduler.queries import Queries
from shared.log.aggregate import CommandRunner
from shared.runtime import Runtime


@dataclass(frozen=True)
class Deps:
    """The runtime's command runner (set-up and rota) and the read models."""

    runner: CommandRunner
    queries: Queries

    @classmethod
    def build(cls, rt: Runtime) -> Deps:
        return cls(runner=rt.runner, queries=Queries(rt.pool, rt.schema))
