"""CPU seconds per process of a `bench.load` run (Linux /proc): the load generator, each
service process, NATS and PostgreSQL, and the whole machine (other users included)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bench.replay import machine_s, servers_cpu_s, tree_cpu_s
from shared.infra.local import LocalInfrastructure


def processes_s(local: LocalInfrastructure | None, services: list[int]) -> dict[str, float]:
    """CPU seconds so far of each process that serves the load."""
    found = {"load generator": _own_s()}
    for i, pid in enumerate(services):
        with contextlib.suppress(OSError):
            found[f"service {i}"] = tree_cpu_s(pid)
    if local is not None:
        with contextlib.suppress(OSError, AssertionError):
            found["nats-server"], found["postgresql"] = servers_cpu_s(local)
    found["machine (all users)"] = machine_s()[0]
    return found


def _own_s() -> float:
    """This process alone (its children are the services, counted apart)."""
    fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Usage:
    """CPU spent per process while a phase ran; `per_command_ms` divides by its commands."""

    spent_s: dict[str, float] = field(default_factory=dict)

    def per_command_ms(self, commands: int) -> dict[str, float]:
        if not commands:
            return {}
        return {k: round(1000.0 * v / commands, 3) for k, v in self.spent_s.items()}


@contextlib.contextmanager
def measured(local: LocalInfrastructure | None, services: list[int]) -> Iterator[Usage]:
    usage = Usage()
    before = _safe(local, services)
    yield usage
    after = _safe(local, services)
    usage.spent_s = {k: round(after[k] - v, 3) for k, v in before.items() if k in after}


def _safe(local: LocalInfrastructure | None, services: list[int]) -> Mapping[str, float]:
    try:
        return processes_s(local, services)
    except OSError:  # no /proc: not Linux
        return {}
