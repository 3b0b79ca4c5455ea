"""The event log on JetStream: one stream per kabupaten, conditional and idempotent appends."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from nats.aio.client import Client as NATS
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import APIError, NotFoundError

from shared.envelope import HEADER_SCHEMA_VERSION, HEADER_TYPE, Metadata, seal
from shared.events.base import DomainEvent
from shared.logreader import StoredEvent, direct_get_page, direct_pages
from shared.tenancy import AggregateRef, stream_name, stream_subjects

WRONG_LAST_SEQUENCE = 10071
WRONG_LAST_SEQUENCE_CODES = frozenset({WRONG_LAST_SEQUENCE, 10164})  # 10164: replicated
DUPLICATE_IN_BATCH = 10201
MAX_EVENTS_PER_APPEND = 500


class ConcurrencyConflict(Exception):
    """Another writer appended to the aggregate after we read it."""

    def __init__(self, subject: str, expected: int) -> None:
        super().__init__(f"{subject}: expected last sequence {expected} no longer holds")
        self.subject = subject
        self.expected = expected


class AppendRefused(RuntimeError):
    """JetStream refused an append for a reason other than concurrency."""


@dataclass(frozen=True)
class Appended:
    """What one append stored; `duplicate` when JetStream had it already (same command)."""

    events: list[StoredEvent]
    duplicate: bool


class EventStore:
    """Appends to and reads from the kabupaten streams."""

    def __init__(self, nc: NATS, *, replicas: int = 1, duplicate_window_s: float = 120.0) -> None:
        self.nc = nc
        self.js = nc.jetstream()
        self.replicas = replicas
        self.duplicate_window_s = duplicate_window_s
        self._streams: set[str] = set()

    async def ensure_stream(self, kab: str) -> str:
        name = stream_name(kab)
        if name in self._streams:
            return name
        try:
            await self.js.stream_info(name)
        except NotFoundError:
            await self.js.add_stream(
                StreamConfig(
                    name=name,
                    subjects=stream_subjects(kab),
                    storage=StorageType.FILE,
                    retention=RetentionPolicy.LIMITS,
                    discard=DiscardPolicy.NEW,
                    num_replicas=self.replicas,
                    duplicate_window=self.duplicate_window_s,
                    deny_delete=True,
                    deny_purge=True,
                    allow_direct=True,
                    allow_atomic=True,
                )
            )
        self._streams.add(name)
        return name

    async def has_stream(self, kab: str) -> bool:
        name = stream_name(kab)
        if name in self._streams:
            return True
        try:
            await self.js.stream_info(name)
        except NotFoundError:
            return False
        self._streams.add(name)
        return True

    async def stream_names(self) -> list[str]:
        return sorted(info.config.name or "" for info in await self.js.streams_info())

    async def last_seq(self, kab: str) -> int:
        info = await self.js.stream_info(stream_name(kab))
        return int(info.state.last_seq)

    async def removed_seqs(self, kab: str) -> list[int]:
        """The sequences up to the stream's last that hold no event: the ones before its
        first and those deleted inside it, as the server keeps them, without reading the
        stream. (A stream denies deletes: any is a tampering to report.)"""
        request = json.dumps({"deleted_details": True}).encode()
        reply = await self.nc.request(f"$JS.API.STREAM.INFO.{stream_name(kab)}", request, 10.0)
        answer = json.loads(reply.data)
        if "error" in answer:
            raise APIError.from_error(answer["error"])
        state = answer["state"]
        return list(range(1, int(state["first_seq"]))) + sorted(state.get("deleted") or [])

    async def load(self, ref: AggregateRef, after_seq: int = 0) -> list[StoredEvent]:
        """The aggregate's events after `after_seq`, in order (none if no stream yet)."""
        if not await self.has_stream(ref.tenant.kab):
            return []
        events: list[StoredEvent] = []
        async for page in direct_pages(self.nc, ref.stream, ref.subject, after_seq + 1):
            events.extend(page)
        return events

    async def get(self, kab: str, seq: int) -> StoredEvent | None:
        page = await direct_get_page(self.nc, stream_name(kab), f"smart.{kab}.>", seq, 1)
        if page.events and page.events[0].seq == seq:
            return page.events[0]
        return None

    async def append(
        self,
        ref: AggregateRef,
        events: Sequence[DomainEvent],
        meta: Metadata,
        *,
        expected_last_seq: int,
        version: int,
        prev_hash: str,
        now: datetime,
        occurred_at: datetime | None = None,
    ) -> Appended:
        """Append `events` to one aggregate, all or none, if nobody wrote since
        `expected_last_seq`. `version` and `prev_hash` are the aggregate's current ones."""
        if not events:
            return Appended([], False)
        if len(events) > MAX_EVENTS_PER_APPEND:
            raise AppendRefused(f"{len(events)} events in one append (max {MAX_EVENTS_PER_APPEND})")
        await self.ensure_stream(ref.tenant.kab)
        sealed: list[tuple[dict[str, str], bytes]] = []
        for i, event in enumerate(events):
            envelope, data = seal(
                ref, version + i + 1, event, meta, prev_hash, occurred_at or now, now
            )
            prev_hash = envelope.hash
            headers = {
                "Nats-Msg-Id": f"{meta.command_id}:{i}",
                HEADER_TYPE: envelope.type,
                HEADER_SCHEMA_VERSION: str(envelope.schema_version),
            }
            sealed.append((headers, data))
        sealed[0][0]["Nats-Expected-Last-Subject-Sequence"] = str(expected_last_seq)
        if len(sealed) == 1:
            return await self._publish_one(ref, *sealed[0])
        return await self._publish_batch(ref, sealed)

    async def _publish_one(
        self, ref: AggregateRef, headers: dict[str, str], data: bytes
    ) -> Appended:
        try:
            ack = await self.js.publish(ref.subject, data, headers=headers, stream=ref.stream)
        except APIError as exc:
            raise self._refusal(ref, headers, exc.err_code, exc.description) from exc
        return Appended([StoredEvent(ack.seq, ref.subject, data)], bool(ack.duplicate))

    async def _publish_batch(
        self, ref: AggregateRef, sealed: list[tuple[dict[str, str], bytes]]
    ) -> Appended:
        batch_id = uuid.uuid4().hex
        last = len(sealed)
        for i, (headers, data) in enumerate(sealed, 1):
            headers["Nats-Batch-Id"] = batch_id
            headers["Nats-Batch-Sequence"] = str(i)
            if i < last:
                await self.nc.publish(ref.subject, data, headers=headers)
        headers, data = sealed[-1]
        headers["Nats-Batch-Commit"] = "1"
        reply = await self.nc.request(ref.subject, data, headers=headers, timeout=5.0)
        answer = json.loads(reply.data or b"{}")
        error = answer.get("error")
        if error:
            if error.get("err_code") == DUPLICATE_IN_BATCH:
                return Appended([], True)
            raise self._refusal(ref, sealed[0][0], error.get("err_code"), error.get("description"))
        first = int(answer["seq"]) - last + 1
        return Appended(
            [StoredEvent(first + i, ref.subject, d) for i, (_, d) in enumerate(sealed)], False
        )

    @staticmethod
    def _refusal(
        ref: AggregateRef, headers: dict[str, str], code: int | None, text: str | None
    ) -> Exception:
        if code in WRONG_LAST_SEQUENCE_CODES:
            expected = int(headers.get("Nats-Expected-Last-Subject-Sequence", "0"))
            return ConcurrencyConflict(ref.subject, expected)
        return AppendRefused(f"{ref.subject}: JetStream refused the append ({code}: {text})")
