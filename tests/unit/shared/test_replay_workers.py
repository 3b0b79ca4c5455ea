"""How replay worker processes start."""

from __future__ import annotations

import sys
import threading

import pytest

from shared.readside.replay_workers import start_method


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked only on Linux")
def test_workers_are_forked_from_a_single_threaded_coordinator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Other tests' event loops may leave idle executor threads behind in this process.
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert start_method() == "fork"


def test_workers_are_spawned_when_another_thread_could_hold_a_lock_across_the_fork() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert start_method() == "spawn"
    finally:
        release.set()
        other.join()
