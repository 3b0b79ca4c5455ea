"""One owner per data directory: a lock the kernel drops when its owner dies, naming it."""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil

log = logging.getLogger("smart.infra")
LOCK_FILE = "smart.lock"


@dataclass(frozen=True)
class Owner:
    """Who holds a data directory: a pid and its start time (a pid alone may be reused)."""

    pid: int
    started: float
    command: str

    @classmethod
    def me(cls) -> Owner:
        return cls(os.getpid(), psutil.Process().create_time(), " ".join(sys.argv))

    def alive(self) -> bool:
        try:
            return bool(abs(psutil.Process(self.pid).create_time() - self.started) < 1.0)
        except psutil.NoSuchProcess:
            return False

    def describe(self) -> str:
        since = datetime.fromtimestamp(self.started, UTC).isoformat(timespec="seconds")
        return f"pid {self.pid}, started {since}: {self.command}"


class DataDirInUse(RuntimeError):
    """Another live process owns the data directory."""

    def __init__(self, data_dir: Path, owner: Owner | None) -> None:
        who = owner.describe() if owner else "an unknown process"
        super().__init__(
            f"data directory {data_dir} sedang dipakai oleh proses lain ({who}); "
            f"hentikan dulu proses itu. / The data directory {data_dir} is in use by "
            f"another process ({who}); stop it first."
        )
        self.owner = owner


def _read(path: Path) -> Owner | None:
    try:
        return Owner(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


class DataDirLock:
    """`flock` on `<data_dir>/smart.lock`, the owner written inside. The kernel releases
    it when the owner dies however it dies, so a lock left by a dead owner (stale: its pid
    gone, or reused by a process started at another time) is simply taken over."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = data_dir / LOCK_FILE
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> Owner | None:
        """Own the directory; returns the stale owner taken over, if any. Raises
        `DataDirInUse` naming the live owner."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DataDirInUse(self.data_dir, _read(self.path)) from None
        before = _read(self.path)
        if before is not None and before.pid != os.getpid() and before.alive():
            os.close(fd)
            raise DataDirInUse(self.data_dir, before)
        if before is not None:
            log.warning("taking over the stale lock of %s", before.describe())
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(asdict(Owner.me())).encode(), 0)
        os.fsync(fd)
        self._fd = fd
        return before

    def release(self) -> None:
        """Clear the owner and unlock; the file stays (removing it would race a newcomer)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> DataDirLock:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()
