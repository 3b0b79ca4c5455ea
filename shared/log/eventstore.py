"""The event log on JetStream: one stream per kabupaten, conditional and idempotent appends,
each event signed by the service that writes it."""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Self

from nats.aio.client import Client as NATS
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import APIError, NotFoundError

from shared.clock import utc_now
from shared.events.audit import key_ref, keys_filter
from shared.events.base import DomainEvent
from shared.log.directreads import direct_lasts
from shared.log.envelope import HEADER_SCHEMA_VERSION, HEADER_TYPE, Envelope, Metadata, seal
from shared.log.reader import StoredEvent, direct_get_page, direct_pages
from shared.log.signing import ServiceKey, Signer
from shared.tenancy import AggregateRef, stream_name, stream_subjects

WRONG_LAST_SEQUENCE = 10071
WRONG_LAST_SEQUENCE_CODES = frozenset({WRONG_LAST_SEQUENCE, 10164})  # 10164: replicated
DUPLICATE_IN_BATCH = 10201
DUPLICATE_IN_PROCESS = 10158  # the same message id being stored by another publisher
MAX_EVENTS_PER_APPEND = 500


class ConcurrencyConflict(Exception):
    """Another writer appended to the aggregate after we read it."""

    def __init__(self, subject: str, expected: int) -> None:
        super().__init__(f"{subject}: expected last sequence {expected} no longer holds")
        self.subject = subject
        self.expected = expected


class AppendRefused(RuntimeError):
    """JetStream refused an append for a reason other than concurrency."""


class DuplicateInProcess(AppendRefused):
    """Another publisher is storing a message with the same id right now."""


@dataclass(frozen=True)
class Appended:
    """What one append stored; `duplicate` when JetStream had it already (same command)."""

    events: list[StoredEvent]
    duplicate: bool


class EventStore:
    """Appends to and reads from the kabupaten streams. With a `signer`, it writes only its
    service's subjects and signs every event, registering the service's key in a stream
    before its first event there (`shared.log.signing`); without one (tools, tests), it writes
    unsigned events, as before signatures."""

    signer: Signer | None = None  # a class default too: test doubles skip __init__

    def __init__(
        self,
        nc: NATS,
        *,
        replicas: int = 1,
        duplicate_window_s: float = 120.0,
        signer: Signer | None = None,
    ) -> None:
        self.nc = nc
        self.js = nc.jetstream()
        self.replicas = replicas
        self.duplicate_window_s = duplicate_window_s
        self._streams: set[str] = set()
        self.signer = signer
        self._keyed: set[str] = set()
        self._registering = asyncio.Lock()

    def signed_as(self, signer: Signer) -> Self:
        """This store on the same connection, signing as another service (the audit
        signer's checkpoints, written through a service's store)."""
        clone = copy.copy(self)
        clone.signer, clone._keyed, clone._streams = signer, set(), set(self._streams)
        clone._registering = asyncio.Lock()
        return clone

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

    async def key_registrations(self, kab: str) -> list[StoredEvent]:
        """Every service's key registrations in the kabupaten's log, in order."""
        if not await self.has_stream(kab):
            return []
        events: list[StoredEvent] = []
        async for page in direct_pages(self.nc, stream_name(kab), keys_filter(kab)):
            events.extend(page)
        return events

    async def last_of(self, ref: AggregateRef) -> StoredEvent | None:
        """The aggregate's last event, read alone."""
        if not await self.has_stream(ref.tenant.kab):
            return None
        return (await self.lasts_before(ref.tenant.kab, [ref.subject])).get(ref.subject)

    async def lasts_before(
        self, kab: str, subjects: Sequence[str], seq: int | None = None
    ) -> dict[str, StoredEvent]:
        """The last event (before `seq`, if given) of each subject that has one."""
        if seq is not None and seq <= 1:
            return {}
        return await direct_lasts(self.nc, stream_name(kab), subjects, seq and seq - 1)

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
        key = await self._signing_key(ref)
        sealed: list[tuple[dict[str, str], bytes]] = []
        envelopes: list[Envelope] = []
        for i, event in enumerate(events):
            envelope, data = seal(
                ref, version + i + 1, event, meta, prev_hash, occurred_at or now, now, key
            )
            envelopes.append(envelope)
            prev_hash = envelope.hash
            headers = {
                "Nats-Msg-Id": f"{meta.command_id}:{i}",
                HEADER_TYPE: envelope.type,
                HEADER_SCHEMA_VERSION: str(envelope.schema_version),
            }
            sealed.append((headers, data))
        sealed[0][0]["Nats-Expected-Last-Subject-Sequence"] = str(expected_last_seq)
        if len(sealed) == 1:
            appended = await self._publish_one(ref, *sealed[0])
        else:
            appended = await self._publish_batch(ref, sealed)
        for stored, envelope, event in zip(appended.events, envelopes, events, strict=False):
            stored.opened(envelope, event)  # the runner folds them: no second parse
        return appended

    async def _signing_key(self, ref: AggregateRef) -> ServiceKey | None:
        """The key to sign `ref`'s events with, registered in its stream; None unsigned."""
        if self.signer is None:
            return None
        if ref.service != self.signer.key.service:
            raise AppendRefused(
                f"{ref.subject}: {self.signer.key.service} signs only its own events,"
                f" not those of {ref.service}"
            )
        await self.register(ref.tenant.kab)
        return self.signer.key

    async def register(self, kab: str) -> None:
        """Make sure the stream holds this store's key registration, appending it if not:
        signing begins there. Appends of one process wait for it; replicas racing to
        register the same key agree through the message id and the conditional append."""
        if self.signer is None or stream_name(kab) in self._keyed:
            return
        async with self._registering:
            for attempt in range(5):
                if stream_name(kab) in self._keyed or await self._registered(kab):
                    self._keyed.add(stream_name(kab))
                    return
                await asyncio.sleep(0.05 * attempt)
        raise AppendRefused(
            f"{stream_name(kab)}: could not register the key of {self.signer.key.service}"
        )

    async def _registered(self, kab: str) -> bool:
        """Whether the key is registered now, after appending its registration if not;
        False when another publisher's append got in the way (try again)."""
        assert self.signer is not None
        await self.ensure_stream(kab)
        signer = self.signer
        ref, wanted = key_ref(kab, signer.key.service), signer.registration()
        events = await self.load(ref)
        last = events[-1] if events else None
        if last is not None and last.event == wanted:
            return True
        cid = f"key-{signer.key.service}-{signer.key.public[:16]}"
        meta = Metadata(command_id=cid, correlation_id=cid, actor=f"system:{signer.key.service}")
        version, now = last.envelope.aggregate_version if last else 0, utc_now()
        prev = last.envelope.hash if last else ""
        envelope, data = seal(ref, version + 1, wanted, meta, prev, now, now, signer.audit)
        headers = {
            "Nats-Msg-Id": f"{cid}:{version + 1}",
            "Nats-Expected-Last-Subject-Sequence": str(last.seq if last else 0),
            HEADER_TYPE: envelope.type,
            HEADER_SCHEMA_VERSION: str(envelope.schema_version),
        }
        try:
            await self._publish_one(ref, headers, data)
        except (ConcurrencyConflict, DuplicateInProcess):
            return False
        return True

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
        if code == DUPLICATE_IN_PROCESS:
            return DuplicateInProcess(f"{ref.subject}: {text}")
        return AppendRefused(f"{ref.subject}: JetStream refused the append ({code}: {text})")
