"""Long commands as jobs: one asked again joins its running job instead of starting anew.

A handler whose work may outlast an RPC's timeout (a 20,000-line import) runs it here and
answers `Pending` (202, how far it is) while it runs; the caller asks again with the same
request (shared/edge/rpc.py `call`) and gets the job's own answer once it is done. A job nobody
has asked about for `lease_s` is cancelled: its caller gave up (or was told it failed), so
none of its work may commit after that. A finished job's answer is kept `keep_s` for the
ask that comes to fetch it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Progress:
    """How far a job is: `done` of `total` steps (the total may be learnt on the way)."""

    total: int = 0
    done: int = 0

    def advance(self, steps: int = 1) -> None:
        self.done += steps


@dataclass
class Job(Generic[T]):
    task: asyncio.Task[T]
    progress: Progress
    asked: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Pending:
    """A job not done yet, and how far it is: a handler answers it as 202 (shared/edge/kit.py)."""

    done: int
    total: int


class Jobs(Generic[T]):
    """The jobs of one process, by key (a tenant, a command id, a digest of the input)."""

    def __init__(self, wait_s: float = 5.0, lease_s: float = 15.0, keep_s: float = 120.0) -> None:
        self.wait_s, self.lease_s, self.keep_s = wait_s, lease_s, keep_s
        self._jobs: dict[Hashable, Job[T]] = {}
        self._watchers: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._jobs)

    async def answer(self, key: Hashable, work: Callable[[Progress], Awaitable[T]]) -> T | Pending:
        """The job's result (or its refusal, raised) if it is done within `wait_s`, else how
        far it is; the first ask of a key starts `work`, every later one joins it."""
        job = self._jobs.get(key)
        if job is None or job.task.cancelled():
            job = self._start(key, work)
        job.asked = time.monotonic()
        await asyncio.wait({job.task}, timeout=self.wait_s)
        if job.task.done():
            return job.task.result()
        return Pending(job.progress.done, job.progress.total)

    def cancel_all(self) -> None:
        for job in self._jobs.values():
            job.task.cancel()

    def _start(self, key: Hashable, work: Callable[[Progress], Awaitable[T]]) -> Job[T]:
        progress = Progress()

        async def run() -> T:
            return await work(progress)

        job = Job(asyncio.get_running_loop().create_task(run()), progress)
        self._jobs[key] = job
        job.task.add_done_callback(lambda task: self._finished(key, task))
        watcher = asyncio.get_running_loop().create_task(self._watch(job))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        return job

    def _finished(self, key: Hashable, task: asyncio.Task[T]) -> None:
        if task.cancelled():
            self._forget(key, task)
            return
        task.exception()  # retrieved here: a failure nobody asked for is not logged as lost
        asyncio.get_running_loop().call_later(self.keep_s, self._forget, key, task)

    def _forget(self, key: Hashable, task: asyncio.Task[T]) -> None:
        job = self._jobs.get(key)
        if job is not None and job.task is task:
            del self._jobs[key]

    async def _watch(self, job: Job[T]) -> None:
        while not job.task.done():
            await asyncio.sleep(min(1.0, self.lease_s / 4))
            if time.monotonic() - job.asked > self.lease_s:
                job.task.cancel()
