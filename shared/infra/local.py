"""The whole infrastructure on one machine: embedded NATS + PostgreSQL in a data directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.infra.embedded import EmbeddedNats, EmbeddedPostgres
from shared.infra.lock import DataDirLock


@dataclass(frozen=True)
class Endpoints:
    """Where the servers are: URLs of the operator (the NATS admin, the PostgreSQL
    operator) and, for embedded servers, the directory of every role's credentials."""

    nats_url: str
    database_url: str
    credentials: Path | None = None


class LocalInfrastructure:
    """Starts what is not given: `smart up` with no URLs, and the tests without Docker.

    It owns the data directory while it runs (the caller's `lock`, else its own), so it
    may stop the servers an earlier run of the same directory left before starting its
    own. Started from the main thread, the servers die with this process however it dies."""

    def __init__(self, data_dir: Path, lock: DataDirLock | None = None) -> None:
        self.data_dir = data_dir.resolve()
        self.nats = EmbeddedNats(self.data_dir)
        self.postgres = EmbeddedPostgres(self.data_dir)
        self.lock = lock
        self._own_lock: DataDirLock | None = None

    def start(self) -> Endpoints:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.lock is None or not self.lock.held:
            self._own_lock = DataDirLock(self.data_dir)
            self._own_lock.acquire()
        try:
            self.stop_leftovers()
            nats_url = self.nats.start()
            database_url = self.postgres.start()
        except BaseException:
            self.stop()
            raise
        return Endpoints(nats_url, database_url, self.nats.credentials.dir)

    def stop_leftovers(self) -> int:
        """Servers of this directory still running from an earlier run: stopped safely."""
        return self.postgres.stop_leftovers() + self.nats.stop_leftovers()

    def stop(self) -> None:
        try:
            self.postgres.stop()
        finally:
            try:
                self.nats.stop()
            finally:
                if self._own_lock is not None:
                    self._own_lock.release()
                    self._own_lock = None
