"""The supervisor of `smart up`: who is restarted, when, how often, and what it reports."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from shared.infra.supervisor import Backoff, Component, State, Supervisor
from shared.metrics import OpsServer

pytestmark = pytest.mark.unit


class Fake(Component):
    """A component that fails when told to, and refuses to start `refuse` times."""

    def __init__(self, name: str, log: list[str], refuse: int = 0) -> None:
        self.name = name
        self.log = log
        self.refuse = refuse
        self.failed = asyncio.Event()
        self.serving = True

    async def start(self) -> None:
        self.log.append(f"start {self.name}")
        if self.refuse:
            self.refuse -= 1
            raise RuntimeError("port busy")
        self.failed = asyncio.Event()

    async def watch(self) -> None:
        await self.failed.wait()
        raise RuntimeError("died")

    async def stop(self) -> None:
        self.log.append(f"stop {self.name}")

    def healthy(self) -> bool:
        return self.serving


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


async def until(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - the supervisor's state has no event
            await asyncio.sleep(0.001)


def test_backoff_grows_to_its_ceiling() -> None:
    backoff = Backoff(initial_s=0.5, factor=2, max_s=5)
    assert [backoff.delay(n) for n in range(1, 7)] == [0.5, 1, 2, 4, 5, 5]


async def test_a_failed_component_is_restarted_alone_and_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log: list[str] = []
    nats, svc, gw = Fake("nats", log), Fake("donations", log), Fake("gateway", log)
    clock = Clock()
    sup = Supervisor([nats, svc, gw], sleep=clock.sleep, clock=clock)
    await sup.start()
    assert log == ["start nats", "start donations", "start gateway"]
    log.clear()

    with caplog.at_level(logging.WARNING, logger="smart.supervisor"):
        svc.failed.set()
        await until(lambda: sup.status["donations"].restarts == 1 and sup.whole)

    assert log == ["stop donations", "start donations"]
    assert sup.status["nats"].restarts == 0
    assert sup.status["donations"].last_error == "failed (RuntimeError: died)"
    assert any("restarting donations (restart 1" in r.getMessage() for r in caplog.records)
    assert 'smart_restarts_total{component="donations"} 1' in sup.exposition()
    assert 'smart_restarts_total{component="nats"} 0' in sup.exposition()
    await sup.stop()


async def test_a_restart_of_a_server_restarts_what_depends_on_it_at_once() -> None:
    log: list[str] = []
    nats, pg = Fake("nats", log), Fake("postgres", log)
    svc, gw = Fake("donations", log), Fake("gateway", log)
    svc.depends_on = ("nats", "postgres")
    clock = Clock()
    sup = Supervisor([nats, pg, svc, gw], sleep=clock.sleep, clock=clock)
    await sup.start()
    log.clear()
    nats.failed.set()
    await until(lambda: sup.status["donations"].restarts == 1 and sup.whole)
    assert log == ["stop nats", "start nats", "stop donations", "start donations"]
    assert clock.sleeps == [0.5, 0]
    assert sup.status["donations"].last_error == "nats was restarted"
    assert sup.status["donations"].failures == 0
    assert sup.status["gateway"].restarts == 0
    await sup.stop()


async def test_a_start_that_keeps_failing_is_retried_with_growing_delays() -> None:
    log: list[str] = []
    nats = Fake("nats", log)
    clock = Clock()
    sup = Supervisor(
        [nats], Backoff(initial_s=1, factor=2, max_s=3), sleep=clock.sleep, clock=clock
    )
    await sup.start()
    nats.refuse = 3
    nats.failed.set()
    await until(lambda: sup.status["nats"].state is State.UP and len(clock.sleeps) == 4)
    assert clock.sleeps == [1, 2, 3, 3]
    assert sup.status["nats"].restarts == 4
    assert sup.status["nats"].last_error == "RuntimeError: port busy"
    await sup.stop()


async def test_a_component_that_ran_long_enough_starts_again_from_the_first_delay() -> None:
    nats = Fake("nats", [])
    clock = Clock()
    backoff = Backoff(initial_s=1, factor=2, max_s=30, reset_after_s=60)
    sup = Supervisor([nats], backoff, sleep=clock.sleep, clock=clock)
    await sup.start()
    for _ in range(3):
        nats.failed.set()
        count = len(clock.sleeps) + 1
        await until(lambda n=count: len(clock.sleeps) == n and sup.status["nats"].state is State.UP)
    assert clock.sleeps == [1, 2, 4]
    clock.now += 61
    nats.failed.set()
    await until(lambda: len(clock.sleeps) == 4 and sup.status["nats"].state is State.UP)
    assert clock.sleeps[-1] == 1
    await sup.stop()


async def test_whole_only_while_every_component_is_up_and_serving() -> None:
    nats, svc = Fake("nats", []), Fake("donations", [])
    gate = asyncio.Event()

    async def held_sleep(seconds: float) -> None:
        await gate.wait()

    sup = Supervisor([nats, svc], sleep=held_sleep)
    await sup.start()
    assert sup.whole
    svc.serving = False
    assert not sup.whole
    assert sup.report()["donations"]["healthy"] is False
    assert 'smart_component_up{component="donations"} 0' in sup.exposition()
    svc.serving = True
    nats.failed.set()
    await until(lambda: sup.status["nats"].state is State.RESTARTING)
    assert not sup.whole
    assert sup.report()["nats"] == {
        "state": "restarting",
        "healthy": False,
        "restarts": 0,
        "error": "failed (RuntimeError: died)",
    }
    gate.set()
    await until(lambda: sup.whole)
    await sup.stop()


async def test_stop_goes_last_first_and_a_hanging_stop_does_not_hold_the_others() -> None:
    log: list[str] = []

    class Hangs(Fake):
        async def stop(self) -> None:
            log.append(f"stop {self.name}")
            await asyncio.Event().wait()

    class Raises(Fake):
        async def stop(self) -> None:
            log.append(f"stop {self.name}")
            raise ConnectionError("NATS is gone")

    sup = Supervisor(
        [Fake("nats", log), Hangs("postgres", log), Raises("gateway", log)], stop_timeout_s=0.05
    )
    await sup.start()
    log.clear()
    async with asyncio.timeout(2):
        await sup.stop()
    assert log == ["stop gateway", "stop postgres", "stop nats"]
    assert {s.state for s in sup.status.values()} == {State.STOPPED}


async def test_a_failed_first_start_stops_what_had_started() -> None:
    log: list[str] = []
    sup = Supervisor([Fake("nats", log), Fake("postgres", log, refuse=1), Fake("gateway", log)])
    with pytest.raises(RuntimeError, match="port busy"):
        await sup.start()
    assert log == ["start nats", "start postgres", "stop postgres", "stop nats"]


async def test_the_ops_endpoints_carry_the_supervisors_view() -> None:
    svc = Fake("donations", [])
    sup = Supervisor([svc])
    await sup.start()
    ops = OpsServer([], 0, supervisor=sup)
    status, _, text = await ops.answer("/metrics")
    assert status == 200
    assert 'smart_restarts_total{component="donations"} 0' in text
    assert (await ops.answer("/readyz"))[0] == 200
    svc.serving = False
    assert (await ops.answer("/readyz"))[0] == 503
    await sup.stop()
