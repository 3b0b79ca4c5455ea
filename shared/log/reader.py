"""Reading the log: paged ordered-consumer reads, and direct gets for one aggregate."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy, StreamInfo

from shared.events.base import DomainEvent
from shared.log.envelope import Envelope, Head, open_envelope, open_head

READ_STALL_S = 30.0
API_TIMEOUT_S = 20.0  # a read's JetStream API calls, on a server or process under load
# The server deletes an ordered consumer nobody subscribes to for this long. nats-py creates
# the consumer, then subscribes: on a process busy for longer in between (2 s did, under
# load) the consumer was gone and the read failed. A read deletes its consumer when done,
# so this only bounds what a reader that died leaves behind.
ORDERED_CONSUMER_IDLE_S = 30.0


class LogUnavailable(RuntimeError):
    """The log did not answer a read in time."""


class ShortRead(LogUnavailable):
    """A read ended with fewer events than the stream holds: what it read is not the log."""


class StoredEvent:
    """One event as it lies in the stream: its position, subject and stored bytes; the
    envelope, or only its head, and the event are opened on first use. (A slotted class,
    not a dataclass: a replay makes and drops one per event, and this halves what that
    costs.) Projections read `head` and `event`; the command side and the audit read the
    whole `envelope`."""

    __slots__ = ("_envelope", "_event", "_head", "data", "seq", "subject")

    def __init__(self, seq: int, subject: str, data: bytes) -> None:
        self.seq, self.subject, self.data = seq, subject, data
        self._envelope: Envelope | None = None
        self._head: Head | None = None
        self._event: DomainEvent | None = None

    def __repr__(self) -> str:
        return f"StoredEvent(seq={self.seq}, subject={self.subject!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StoredEvent):
            return NotImplemented
        return (self.seq, self.subject, self.data) == (other.seq, other.subject, other.data)

    def __hash__(self) -> int:
        return hash((self.seq, self.subject, self.data))

    def opened(self, envelope: Envelope, event: DomainEvent) -> None:
        """What the appender sealed into `data`, kept so its readers need not parse it."""
        self._envelope, self._head, self._event = envelope, envelope, event

    @property
    def envelope(self) -> Envelope:
        if self._envelope is None:
            self._envelope = open_envelope(self.data)
        return self._envelope

    @property
    def head(self) -> Head:
        if self._head is None:
            if self._envelope is not None:
                self._head = self._envelope  # a whole envelope is a head too
            else:
                self._head, self._event = open_head(self.data)
        return self._head

    @property
    def event(self) -> DomainEvent:
        if self._event is None:  # a head opened on its own came with its event
            if self._envelope is None:
                self._head, self._event = open_head(self.data)
            else:
                self._event = self._envelope.event()
        return self._event


@dataclass(frozen=True)
class Page:
    events: list[StoredEvent]
    pending: int


async def direct_get_page(
    nc: NATS, stream: str, subject_filter: str, from_seq: int, batch: int, timeout: float = 10.0
) -> Page:
    """Up to `batch` events matching `subject_filter` from `from_seq` on, in stream order."""
    events: list[StoredEvent] = []
    ended: asyncio.Future[Page] = asyncio.get_running_loop().create_future()

    async def collect(msg: Msg) -> None:
        headers = msg.headers or {}
        status = headers.get("Status")
        if ended.done():
            return
        if status == "404":
            ended.set_result(Page(events, 0))
        elif status == "204":
            ended.set_result(Page(events, int(headers.get("Nats-Num-Pending", "0"))))
        elif status:
            ended.set_exception(LogUnavailable(f"stream {stream} answered {status}"))
        else:
            events.append(
                StoredEvent(int(headers["Nats-Sequence"]), headers["Nats-Subject"], msg.data)
            )

    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox, cb=collect, pending_msgs_limit=batch * 2 + 10)
    request = {"seq": max(from_seq, 1), "next_by_subj": subject_filter, "batch": batch}
    try:
        await nc.publish(f"$JS.API.DIRECT.GET.{stream}", json.dumps(request).encode(), reply=inbox)
        try:
            return await asyncio.wait_for(ended, timeout)
        except TimeoutError:
            raise LogUnavailable(f"stream {stream} did not answer a read") from None
    finally:
        await sub.unsubscribe()


async def direct_pages(
    nc: NATS, stream: str, subject_filter: str, from_seq: int = 1, batch: int = 1000
) -> AsyncIterator[list[StoredEvent]]:
    """Matching events in pages of direct gets: no consumer at all, for small reads such as
    loading one aggregate."""
    seq = from_seq
    while True:
        page = await direct_get_page(nc, stream, subject_filter, seq, batch)
        if page.events:
            yield page.events
            seq = page.events[-1].seq + 1
        if not page.events or page.pending == 0:
            return


class _PageBuffer:
    """Collects delivered messages; wakes the reader per full page and at the end. It holds
    at most `pages_ahead` pages: delivery then waits (flow control reaches the server), so a
    reader slower than the log keeps its memory flat."""

    def __init__(self, end: int, batch: int, pages_ahead: int = 2) -> None:
        self.end, self.batch = end, batch
        self.limit = batch * pages_ahead
        self.items: list[StoredEvent] = []
        self.done = False
        self.ready = asyncio.Event()
        self.space = asyncio.Event()
        self.space.set()

    async def collect(self, msg: Msg) -> None:
        # Ack subject tokens from the end: ...<stream seq>.<consumer seq>.<time>.<pending>
        tokens = msg.reply.rsplit(".", 4)
        seq, pending = int(tokens[1]), int(tokens[4])
        if seq <= self.end:
            self.items.append(StoredEvent(seq, msg.subject, msg.data))
        if seq >= self.end or pending == 0:
            self.done = True
        if self.done or len(self.items) >= self.batch:
            self.ready.set()
        if len(self.items) >= self.limit and not self.done:
            self.space.clear()
            await self.space.wait()

    def take(self) -> list[StoredEvent]:
        page = self.items[: self.batch]
        self.items = self.items[self.batch :]
        if len(self.items) < self.limit:
            self.space.set()
        if len(self.items) >= self.batch or (self.done and self.items):
            self.ready.set()
        return page

    async def pages(self) -> AsyncIterator[list[StoredEvent]]:
        while True:
            try:
                await asyncio.wait_for(self.ready.wait(), READ_STALL_S)
            except TimeoutError:
                raise LogUnavailable("the log stopped delivering during a read") from None
            self.ready.clear()
            page = self.take()
            if page:
                yield page
            if self.done and not self.items:
                return


async def read_pages(
    nc: NATS, stream: str, subject_filter: str, from_seq: int = 1, batch: int = 1000
) -> AsyncGenerator[list[StoredEvent], None]:
    """Every matching event from `from_seq` to the end of the stream as it was when the read
    began, a page at a time: an ordered consumer, no state left on the server. A read that
    ends short of that end raises `ShortRead` rather than passing for the whole log."""
    info = await nc.jetstream(timeout=API_TIMEOUT_S).stream_info(stream)
    end = int(info.state.last_seq)
    if end < from_seq:
        return
    tally = _Tally(from_seq, end)
    consumed = _consumed(nc, stream, subject_filter, from_seq, batch, end)
    async with contextlib.aclosing(consumed) as pages:
        async for page in pages:
            tally.add(page)
            yield page
    await tally.check(nc, info, subject_filter)


@dataclass
class _Tally:
    """What a read delivered, checked at its end against the stream: no matching event may
    lie between the last one read and the end, and a read of the whole stream has as many
    events as the stream held in that range (its sequences less the removed ones)."""

    start: int
    end: int
    count: int = 0
    last: int = 0

    def add(self, page: list[StoredEvent]) -> None:
        self.count += len(page)
        self.last = page[-1].seq

    async def check(self, nc: NATS, info: StreamInfo, subject_filter: str) -> None:
        stream = str(info.config.name)
        after = max(self.last + 1, self.start)
        missed = (await direct_get_page(nc, stream, subject_filter, after, 1)).events
        if missed and missed[0].seq <= self.end:
            raise ShortRead(
                f"the read of {stream} ({subject_filter}) from seq {self.start} ended at"
                f" {self.last or 'nothing'}, but the stream holds seq {missed[0].seq} up to"
                f" {self.end}: the read ended early, nothing it read was used as the log"
            )
        if subject_filter in (info.config.subjects or []):
            held = await _held(nc, info, self.start, self.end)
            if self.count != held:
                raise ShortRead(
                    f"the read of {stream} from seq {self.start} to {self.end} delivered"
                    f" {self.count} events, but the stream holds {held} there"
                )


async def _held(nc: NATS, info: StreamInfo, start: int, end: int) -> int:
    """How many events the stream held in `start..end` (its state when the read began)."""
    first = max(start, int(info.state.first_seq))
    if first > end:
        return 0
    removed = 0
    if info.state.num_deleted:
        request = json.dumps({"deleted_details": True}).encode()
        reply = await nc.request(f"$JS.API.STREAM.INFO.{info.config.name}", request, 10.0)
        deleted = json.loads(reply.data).get("state", {}).get("deleted") or []
        removed = sum(1 for seq in deleted if first <= seq <= end)
    return end - first + 1 - removed


async def _consumed(
    nc: NATS, stream: str, subject_filter: str, from_seq: int, batch: int, end: int
) -> AsyncGenerator[list[StoredEvent], None]:
    """The pages of an ordered consumer from `from_seq` up to `end`."""
    js = nc.jetstream(timeout=API_TIMEOUT_S)
    buffer = _PageBuffer(end, batch)
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=max(from_seq, 1),
        inactive_threshold=ORDERED_CONSUMER_IDLE_S,
    )
    sub = await js.subscribe(
        subject_filter,
        stream=stream,
        cb=buffer.collect,
        ordered_consumer=True,
        config=config,
        pending_msgs_limit=-1,
        pending_bytes_limit=-1,
    )
    try:
        info = await sub.consumer_info()
        nothing = info.num_pending == 0 and not (info.delivered and info.delivered.consumer_seq)
        if nothing and not buffer.items:
            return
        async for page in buffer.pages():
            yield page
    finally:
        consumer = sub._consumer  # the ordered consumer's current name (nats-py keeps it)
        await sub.unsubscribe()
        with contextlib.suppress(Exception):
            await js.delete_consumer(stream, consumer)
