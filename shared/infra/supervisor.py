"""Keeping `smart up` whole: each component watched, restarted with backoff, counted."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

log = logging.getLogger("smart.supervisor")


@dataclass(frozen=True)
class Backoff:
    """Waits between restarts: `initial_s`, growing by `factor` up to `max_s`; a component
    that ran `reset_after_s` before failing starts again from `initial_s`."""

    initial_s: float = 0.5
    factor: float = 2.0
    max_s: float = 15.0
    reset_after_s: float = 30.0

    def delay(self, failures: int) -> float:
        return float(min(self.initial_s * self.factor ** max(failures - 1, 0), self.max_s))


class Component:
    """Something `smart up` runs: a server process, a service, the gateway, a task."""

    name = "component"
    depends_on: tuple[str, ...] = ()
    """Components whose restart restarts this one too (a service's consumers live on the
    NATS server and its locks on the PostgreSQL one)."""

    async def start(self) -> None:
        raise NotImplementedError

    async def watch(self) -> None:
        """Return (or raise) when the component has failed."""
        raise NotImplementedError

    async def stop(self) -> None:
        """Stop what `start` started, also when it failed half way."""
        raise NotImplementedError

    def healthy(self) -> bool:
        """Running, but is it serving? (A service waiting for NATS to come back is not.)"""
        return True


class State(StrEnum):
    STARTING = "starting"
    UP = "up"
    RESTARTING = "restarting"
    STOPPED = "stopped"


@dataclass
class Status:
    state: State = State.STARTING
    restarts: int = 0
    failures: int = 0
    last_error: str | None = None
    since: float = field(default_factory=time.monotonic)


class Supervisor:
    """Starts its components in order, watches each, restarts a failed one alone (after
    its backoff delay, as long as it takes), and stops them in reverse order."""

    def __init__(
        self,
        components: Sequence[Component],
        backoff: Backoff | None = None,
        *,
        stop_timeout_s: float = 10.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.components = list(components)
        self.backoff = backoff or Backoff()
        self.stop_timeout_s = stop_timeout_s
        self.status = {c.name: Status() for c in self.components}
        self._sleep, self._clock = sleep, clock
        self._watchers: list[asyncio.Task[None]] = []
        self._bounced = {c.name: asyncio.Event() for c in self.components}
        self._because: dict[str, str] = {}
        self._started: list[Component] = []

    async def start(self) -> None:
        """Start every component once, in order; a failure stops those started, and raises."""
        try:
            for component in self.components:
                self._started.append(component)
                await component.start()
                self._set(component, State.UP)
        except BaseException:
            await self.stop()
            raise
        self._watchers = [
            asyncio.create_task(self._keep(c), name=f"supervise-{c.name}") for c in self.components
        ]

    async def stop(self) -> None:
        """Stop every component started, last first; each bounded, none can stop the others."""
        for task in self._watchers:
            task.cancel()
        await asyncio.gather(*self._watchers, return_exceptions=True)
        for component in reversed(self._started):
            await self._stop(component)
            self._set(component, State.STOPPED)
        self._started.clear()

    @property
    def whole(self) -> bool:
        return all(self.status[c.name].state is State.UP and c.healthy() for c in self.components)

    def report(self) -> dict[str, dict[str, object]]:
        """Each component's state, for `/health`."""
        return {
            c.name: {
                "state": self.status[c.name].state.value,
                "healthy": self.status[c.name].state is State.UP and c.healthy(),
                "restarts": self.status[c.name].restarts,
                **({"error": e} if (e := self.status[c.name].last_error) else {}),
            }
            for c in self.components
        }

    def exposition(self) -> str:
        """`smart_restarts_total` and `smart_component_up`, Prometheus text format."""
        lines = [
            "# HELP smart_restarts_total Restarts of a component of smart up by its supervisor.",
            "# TYPE smart_restarts_total counter",
        ]
        lines += [f'smart_restarts_total{{component="{n}"}} {s.restarts}' for n, s in self._all()]
        lines += [
            "# HELP smart_component_up 1 while a component of smart up runs and serves.",
            "# TYPE smart_component_up gauge",
        ]
        health = self.report()
        lines += [
            f'smart_component_up{{component="{n}"}} {int(bool(health[n]["healthy"]))}'
            for n, _ in self._all()
        ]
        return "\n".join(lines) + "\n"

    def _all(self) -> list[tuple[str, Status]]:
        return [(c.name, self.status[c.name]) for c in self.components]

    def _set(self, component: Component, state: State) -> None:
        status = self.status[component.name]
        status.state, status.since = state, self._clock()

    async def _keep(self, component: Component) -> None:
        status = self.status[component.name]
        while True:
            began = self._clock()
            error, failed = await self._reason(component)
            if self._clock() - began >= self.backoff.reset_after_s:
                status.failures = 0
            status.last_error = error
            self._set(component, State.RESTARTING)
            log.warning("%s: %s; restarting it", component.name, error)
            await self._restart(component, status, failed)
            for other in self.components:
                if component.name in other.depends_on:
                    self._because[other.name] = component.name
                    self._bounced[other.name].set()

    async def _reason(self, component: Component) -> tuple[str, bool]:
        """Why `component` must start again, and whether it failed itself (else one it
        depends on was restarted)."""
        watch = asyncio.ensure_future(component.watch())
        bounce = asyncio.ensure_future(self._bounced[component.name].wait())
        try:
            await asyncio.wait({watch, bounce}, return_when=asyncio.FIRST_COMPLETED)
            if not watch.done():
                return f"{self._because.get(component.name)} was restarted", False
            error = watch.exception()
            return (f"failed ({type(error).__name__}: {error})" if error else "stopped"), True
        finally:
            for task in (watch, bounce):
                task.cancel()
            await asyncio.gather(watch, bounce, return_exceptions=True)

    async def _restart(self, component: Component, status: Status, failed: bool) -> None:
        while True:
            await self._stop(component)
            delay = 0.0
            if failed:
                status.failures += 1
                delay = self.backoff.delay(status.failures)
            await self._sleep(delay)
            failed = True
            status.restarts += 1
            log.warning(
                "restarting %s (restart %d, after %.1fs)", component.name, status.restarts, delay
            )
            self._bounced[component.name].clear()
            try:
                await component.start()
            except Exception as exc:
                status.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("%s did not start again: %s", component.name, status.last_error)
                continue
            self._set(component, State.UP)
            log.warning("%s is up again", component.name)
            return

    async def _stop(self, component: Component) -> None:
        try:
            await asyncio.wait_for(component.stop(), self.stop_timeout_s)
        except Exception:
            log.exception("stopping %s failed", component.name)
