"""One owner per data directory: a live owner refuses a newcomer, a dead one's lock is stale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from shared.infra.lock import LOCK_FILE, DataDirInUse, DataDirLock, Owner

pytestmark = pytest.mark.unit

HOLD = """
import sys, time
from pathlib import Path
from shared.infra.lock import DataDirLock
DataDirLock(Path(sys.argv[1])).acquire()
print("held", flush=True)
time.sleep(60)
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    yield proc
    proc.kill()
    proc.wait()


def test_a_directory_in_use_is_refused_naming_its_owner(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(DataDirInUse) as refused:
        DataDirLock(tmp_path).acquire()
    message = str(refused.value)
    assert f"pid {holder.pid}" in message
    assert "sedang dipakai" in message
    assert "is in use" in message
    assert refused.value.owner is not None
    assert refused.value.owner.alive()


def test_the_lock_of_a_killed_owner_is_taken_over(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    holder.kill()
    holder.wait()
    lock = DataDirLock(tmp_path)
    stale = lock.acquire()
    assert stale is not None
    assert stale.pid == holder.pid
    assert not stale.alive()
    assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == os.getpid()
    lock.release()


def test_a_recorded_pid_reused_by_another_process_is_stale(tmp_path: Path) -> None:
    started_elsewhen = psutil.Process(1).create_time() - 1000
    recorded = Owner(1, started_elsewhen, "smart up --data-dir x")
    (tmp_path / LOCK_FILE).write_text(json.dumps(recorded.__dict__))
    assert not recorded.alive()
    with DataDirLock(tmp_path) as lock:
        assert lock.held


def test_a_second_lock_in_the_same_process_is_refused_until_released(tmp_path: Path) -> None:
    first = DataDirLock(tmp_path)
    assert first.acquire() is None
    with pytest.raises(DataDirInUse, match=f"pid {os.getpid()}"):
        DataDirLock(tmp_path).acquire()
    first.release()
    assert (tmp_path / LOCK_FILE).read_text() == ""
    with DataDirLock(tmp_path) as again:
        assert again.held
