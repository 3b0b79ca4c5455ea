"""The whole infrastructure on one machine: embedded NATS + PostgreSQL in a data directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.infra.embedded import EmbeddedNats, EmbeddedPostgres


@dataclass(frozen=True)
class Endpoints:
    nats_url: str
    database_url: str


class LocalInfrastructure:
    """Starts what is not given: `smart up` with no URLs, and the tests without Docker."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.nats = EmbeddedNats(self.data_dir)
        self.postgres = EmbeddedPostgres(self.data_dir)

    def start(self) -> Endpoints:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        nats_url = self.nats.start()
        try:
            database_url = self.postgres.start()
        except Exception:
            self.nats.stop()
            raise
        return Endpoints(nats_url, database_url)

    def stop(self) -> None:
        try:
            self.postgres.stop()
        finally:
            self.nats.stop()
