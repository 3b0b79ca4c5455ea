"""Servers an earlier run of the same data directory left are stopped before new ones start;
servers of another directory, and a process a stale pid file names, are left alone."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import psutil
import pytest

from shared.infra.embedded import EmbeddedNats, EmbeddedPostgres
from shared.infra.local import LocalInfrastructure
from shared.infra.lock import DataDirLock

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture
def root() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="smart-leftovers-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _abandon(local: LocalInfrastructure) -> tuple[int, int]:
    """Forget the servers without stopping them, as a run that died before they did."""
    assert local.nats.proc is not None
    assert local.postgres.proc is not None
    assert local.lock is not None
    pids = local.nats.proc.pid, local.postgres.proc.pid
    local.nats.proc = local.postgres.proc = None
    local.lock.release()
    return pids


async def test_an_earlier_runs_servers_are_stopped_and_the_data_kept(root: Path) -> None:
    data, other = root / "kecamatan", root / "other"
    neighbour = LocalInfrastructure(other)
    neighbour.start()
    lock = DataDirLock(data)
    lock.acquire()
    earlier = LocalInfrastructure(data, lock)
    first = earlier.start()
    try:
        conn = await asyncpg.connect(first.database_url)
        await conn.execute("create table kept (v int); insert into kept values (7)")
        await conn.close()
        old_nats, old_pg = _abandon(earlier)

        again = LocalInfrastructure(data)
        second = again.start()
        try:
            assert not psutil.pid_exists(old_nats) or psutil.Process(old_nats).status() == "zombie"
            assert not psutil.pid_exists(old_pg) or psutil.Process(old_pg).status() == "zombie"
            assert again.nats.running
            assert again.postgres.running
            assert second.nats_url == first.nats_url
            conn = await asyncpg.connect(second.database_url)
            assert await conn.fetchval("select v from kept") == 7
            await conn.close()
            assert neighbour.nats.running
            assert neighbour.postgres.running
        finally:
            again.stop()
    finally:
        neighbour.stop()
        earlier.stop()


def test_a_pid_file_naming_another_program_stops_nothing(root: Path) -> None:
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        nats = EmbeddedNats(root)
        nats.dir.mkdir(parents=True)
        nats.pid_file.write_text(f"{bystander.pid}\n")
        pg = EmbeddedPostgres(root)
        pg.pgdata.mkdir(parents=True)
        (pg.pgdata / "postmaster.pid").write_text(f"{bystander.pid}\n{pg.pgdata}\n")
        assert nats.stop_leftovers() == 0
        assert pg.stop_leftovers() == 0
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()
