"""Reading the log in pages with JetStream's batched direct get: no consumer state."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import cached_property

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from shared.envelope import Envelope, open_envelope
from shared.events.base import DomainEvent


class LogUnavailable(RuntimeError):
    """The log did not answer a read in time."""


@dataclass(frozen=True)
class StoredEvent:
    """One event as it lies in the stream: its position, subject and stored bytes."""

    seq: int
    subject: str
    data: bytes = field(repr=False)

    @cached_property
    def envelope(self) -> Envelope:
        return open_envelope(self.data)

    @cached_property
    def event(self) -> DomainEvent:
        return self.envelope.event()


@dataclass(frozen=True)
class Page:
    events: list[StoredEvent]
    pending: int


async def direct_get_page(
    nc: NATS, stream: str, subject_filter: str, from_seq: int, batch: int, timeout: float = 5.0
) -> Page:
    """Up to `batch` events matching `subject_filter` from `from_seq` on, in stream order."""
    replies: asyncio.Queue[Msg] = asyncio.Queue()

    async def collect(msg: Msg) -> None:
        await replies.put(msg)

    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox, cb=collect)
    request = {"seq": max(from_seq, 1), "next_by_subj": subject_filter, "batch": batch}
    events: list[StoredEvent] = []
    try:
        await nc.publish(f"$JS.API.DIRECT.GET.{stream}", json.dumps(request).encode(), reply=inbox)
        while True:
            try:
                msg = await asyncio.wait_for(replies.get(), timeout)
            except TimeoutError:
                raise LogUnavailable(f"stream {stream} did not answer a read") from None
            headers = msg.headers or {}
            status = headers.get("Status")
            if status == "404":
                return Page(events, 0)
            if status == "204":
                return Page(events, int(headers.get("Nats-Num-Pending", "0")))
            if status:
                raise LogUnavailable(f"stream {stream} answered {status}: {headers}")
            events.append(
                StoredEvent(int(headers["Nats-Sequence"]), headers["Nats-Subject"], msg.data)
            )
    finally:
        await sub.unsubscribe()


async def read_pages(
    nc: NATS, stream: str, subject_filter: str, from_seq: int = 1, batch: int = 1000
) -> AsyncIterator[list[StoredEvent]]:
    """Every matching event from `from_seq` to the end of the stream, a page at a time."""
    seq = from_seq
    while True:
        page = await direct_get_page(nc, stream, subject_filter, seq, batch)
        if page.events:
            yield page.events
            seq = page.events[-1].seq + 1
        if not page.events or page.pending == 0:
            return
