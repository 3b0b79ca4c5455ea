"""In-memory fakes: handlers, the CommandRunner and Facts unit-tested without NATS or PostgreSQL.

* `MemoryEventStore` is the real `EventStore` with JetStream replaced by lists: its own
  `append` (the real one, inherited) builds and hash-chains the envelopes with
  `shared.log.envelope.seal`; only the publish step is in memory, and it answers as JetStream
  does: a repeated `Nats-Msg-Id` within the duplicate window is a duplicate (judged before
  the expected sequence, as the server does), a stale `Nats-Expected-Last-Subject-Sequence`
  is a `ConcurrencyConflict`, a batch is all or none, sequences count from 1 per kabupaten.
* `fake_runtime()` is a `Runtime` whose store, runner and facts are real objects over a
  `MemoryEventStore`; its `nc`, `pool` and `readside` raise `NotInUnitTests` when touched;
  `wait_for` and `catch_up` do nothing.
* `configure(store, tenant, ...)` puts a kecamatan's `KecamatanConfigured` in the log;
  `ctx_for(rt, deps, kab=, kec=, ...)` builds the `Ctx` a handler is given;
  `call_edge(rt, api, deps, message, req)` runs a request through the kit's edge
  (`Api.endpoint`), as NATS would deliver it.
* `MemoryKeyStore` keeps data keys in a dict, as `shared.keys.KeyStore` does in
  PostgreSQL; `fake_runtime()`'s runner seals with it (`rt.keys`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, cast

import asyncpg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from nats.aio.client import Client as NATS
from nats.js.errors import NotFoundError
from pydantic import SecretStr

from shared.config import Settings
from shared.edge.facts import Facts
from shared.edge.kit import Api, Ctx
from shared.edge.rpc import RpcReply, RpcRequest, Scope
from shared.events.base import DomainEvent
from shared.events.scheduler import ActivityKind, DayOff, Desa, KecamatanConfigured, kecamatan_ref
from shared.keys import KeyShredded, KeyStore, Sealer
from shared.log.aggregate import AggregateType, CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import (
    DUPLICATE_IN_BATCH,
    WRONG_LAST_SEQUENCE,
    Appended,
    EventStore,
)
from shared.log.reader import StoredEvent
from shared.lookupkeys import Lookup, LookupKeys, Rotation
from shared.readside.projection import subject_matches
from shared.readside.service import ReadSide
from shared.runtime import Runtime
from shared.tenancy import AggregateRef, Tenant, stream_name

__all__ = [
    "TEST_SECRET",
    "UNITS",
    "FakeRuntime",
    "MemoryEventStore",
    "MemoryKeyStore",
    "NotInUnitTests",
    "Unavailable",
    "call_edge",
    "configure",
    "ctx_for",
    "default_desa",
    "fake_runtime",
    "unit_settings",
]

TEST_SECRET = "test-secret"
"""The deployment secret of unit tests (settings, the donors' vault)."""
UNITS = ("Kantor Kecamatan", "Desa Balerejo", "Kelurahan Kawedanan")
"""The units `configure` gives a kecamatan unless told otherwise."""


class NotInUnitTests(RuntimeError):
    """A unit test touched infrastructure it must not need (NATS, PostgreSQL, the read side)."""


class Unavailable:
    """Stands in for a connection a unit test must not use: any attribute raises."""

    def __init__(self, what: str) -> None:
        object.__setattr__(self, "_what", what)

    def __getattr__(self, name: str) -> NoReturn:
        if name.startswith("__") and name.endswith("__"):  # copy, pickle, inspect probing
            raise AttributeError(name)
        raise NotInUnitTests(
            f"{self._what}.{name}: a handler unit test has no {self._what}"
            " (NATS, PostgreSQL and the read side are for tests/integration)"
        )

    def __setattr__(self, name: str, value: object) -> None:
        self.__getattr__(name)

    def __repr__(self) -> str:
        return f"Unavailable({self._what!r})"


def _unavailable(what: str) -> Any:
    return Unavailable(what)


@dataclass
class _Stream:
    events: list[StoredEvent]
    last_by_subject: dict[str, int]
    msg_ids: dict[str, tuple[int, float]]  # Nats-Msg-Id -> (stream seq, stored at)


class MemoryEventStore(EventStore):
    """The event store over in-memory streams, one per kabupaten.

    `append` is `EventStore.append` itself; `clock` (seconds, monotonic) drives the
    duplicate window, so a test can step past it."""

    def __init__(
        self,
        *,
        duplicate_window_s: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # Not EventStore.__init__: it opens a JetStream context on a connection.
        self.nc = cast(NATS, _unavailable("nc"))
        self.js = _unavailable("jetstream")
        self.replicas = 1
        self.duplicate_window_s = duplicate_window_s
        self.clock = clock
        self._streams: set[str] = set()
        self._data: dict[str, _Stream] = {}
        self._interposed: list[Callable[[], Awaitable[object]]] = []
        self.appends = 0
        """Publishes that stored something (duplicates and refusals excluded)."""

    # -- what a test sees -------------------------------------------------------------

    def events(self, kab: str, subjects: str | None = None) -> list[StoredEvent]:
        """Every event of the kabupaten's stream, in order; only those matching `subjects`
        (a NATS subject filter) if given."""
        stream = self._data.get(stream_name(kab))
        if stream is None:
            return []
        return [
            StoredEvent(e.seq, e.subject, e.data)
            for e in stream.events
            if subjects is None or subject_matches(subjects, e.subject)
        ]

    def of(self, ref: AggregateRef) -> list[StoredEvent]:
        """One aggregate's events, in order."""
        return self.events(ref.tenant.kab, ref.subject)

    def interpose(self, writer: Callable[[], Awaitable[object]]) -> None:
        """Run `writer` once, just before the next publish is judged: another process's
        write landing between a command's load and its append (a race, made certain).
        Give it its own `CommandRunner`: the one appending holds its aggregate's lock."""
        self._interposed.append(writer)

    # -- EventStore ---------------------------------------------------------------------

    async def ensure_stream(self, kab: str) -> str:
        name = stream_name(kab)
        if name not in self._data:
            self._data[name] = _Stream([], {}, {})
        self._streams.add(name)
        return name

    async def has_stream(self, kab: str) -> bool:
        return stream_name(kab) in self._data

    async def stream_names(self) -> list[str]:
        return sorted(self._data)

    async def last_seq(self, kab: str) -> int:
        stream = self._data.get(stream_name(kab))
        if stream is None:
            raise NotFoundError(code=404, err_code=10059, description="stream not found")
        return len(stream.events)

    async def removed_seqs(self, kab: str) -> list[int]:
        return []  # a memory stream never loses an event

    async def load(self, ref: AggregateRef, after_seq: int = 0) -> list[StoredEvent]:
        await asyncio.sleep(0)  # a read yields, as one over the network does: writers race
        return [e for e in self.of(ref) if e.seq > after_seq]

    async def get(self, kab: str, seq: int) -> StoredEvent | None:
        stream = self._data.get(stream_name(kab))
        if stream is None or not 1 <= seq <= len(stream.events):
            return None
        e = stream.events[seq - 1]
        return StoredEvent(e.seq, e.subject, e.data)

    # -- the publish step, as JetStream answers it --------------------------------------

    async def _publish_one(
        self, ref: AggregateRef, headers: dict[str, str], data: bytes
    ) -> Appended:
        await asyncio.sleep(0)
        await self._run_interposed()
        stream = self._stream_of(ref)
        original = self._duplicate_of(stream, headers)
        if original is not None:  # the server answers the first message's sequence
            return Appended([StoredEvent(original, ref.subject, data)], True)
        self._check_expected(stream, ref, headers)
        return Appended(self._store(stream, ref, [(headers, data)]), False)

    async def _publish_batch(
        self, ref: AggregateRef, sealed: list[tuple[dict[str, str], bytes]]
    ) -> Appended:
        await asyncio.sleep(0)
        await self._run_interposed()
        stream = self._stream_of(ref)
        if any(self._duplicate_of(stream, h) is not None for h, _ in sealed):
            return Appended([], True)  # DUPLICATE_IN_BATCH: the batch is refused whole
        ids = [h.get("Nats-Msg-Id") for h, _ in sealed]
        if len(set(ids)) != len(ids):
            raise self._refusal(ref, sealed[0][0], DUPLICATE_IN_BATCH, "duplicate in batch")
        self._check_expected(stream, ref, sealed[0][0])
        return Appended(self._store(stream, ref, sealed), False)

    async def _run_interposed(self) -> None:
        while self._interposed:
            await self._interposed.pop(0)()

    def _stream_of(self, ref: AggregateRef) -> _Stream:
        stream = self._data.get(ref.stream)
        if stream is None:  # append ensures the stream first, as the real one does
            raise NotFoundError(code=503, description=f"no stream for {ref.subject}")
        return stream

    def _duplicate_of(self, stream: _Stream, headers: dict[str, str]) -> int | None:
        msg_id = headers.get("Nats-Msg-Id")
        if msg_id is None:
            return None
        horizon = self.clock() - self.duplicate_window_s
        for old in [k for k, (_, at) in stream.msg_ids.items() if at < horizon]:
            del stream.msg_ids[old]
        seen = stream.msg_ids.get(msg_id)
        return None if seen is None else seen[0]

    def _check_expected(self, stream: _Stream, ref: AggregateRef, headers: dict[str, str]) -> None:
        expected = headers.get("Nats-Expected-Last-Subject-Sequence")
        if expected is not None and int(expected) != stream.last_by_subject.get(ref.subject, 0):
            raise self._refusal(ref, headers, WRONG_LAST_SEQUENCE, "wrong last sequence")

    def _store(
        self, stream: _Stream, ref: AggregateRef, sealed: Iterable[tuple[dict[str, str], bytes]]
    ) -> list[StoredEvent]:
        stored, now = [], self.clock()
        for headers, data in sealed:
            event = StoredEvent(len(stream.events) + 1, ref.subject, data)
            stream.events.append(event)
            stream.last_by_subject[ref.subject] = event.seq
            if "Nats-Msg-Id" in headers:
                stream.msg_ids[headers["Nats-Msg-Id"]] = (event.seq, now)
            stored.append(StoredEvent(event.seq, event.subject, event.data))
        self.appends += 1
        return stored


# -- the runtime and a handler's context ------------------------------------------------


class FakeRuntime(Runtime):
    """A `Runtime` for handler unit tests: the read side is never waited for."""

    @property
    def memory(self) -> MemoryEventStore:
        """The store, as the memory store it is."""
        assert isinstance(self.store, MemoryEventStore)
        return self.store

    async def wait_for(self, kab: str, position: int | None) -> None:
        return None

    async def catch_up(self, kab: str) -> None:
        return None


def unit_settings(**overrides: Any) -> Settings:
    """Settings of a unit test: the test secret, no servers (whatever SMART_* says)."""
    given: dict[str, Any] = {
        "secret_key": SecretStr(TEST_SECRET),
        "nats_url": None,
        "database_url": None,
        "kabupaten": "*",
    }
    return Settings(**{**given, **overrides})


def fake_runtime(
    settings: Settings | None = None,
    *,
    store: MemoryEventStore | None = None,
    name: str = "test",
    schema: str = "test",
) -> FakeRuntime:
    """A runtime over a memory store (a new one unless given): its `store`, `runner`
    (`CommandRunner`) and `facts` (`Facts`) are the real ones; `nc`, `pool` and `readside`
    raise `NotInUnitTests` when touched."""
    memory = store if store is not None else MemoryEventStore()
    keys = MemoryKeyStore()
    return FakeRuntime(
        name=name,
        schema=schema,
        settings=settings if settings is not None else unit_settings(),
        nc=cast(NATS, _unavailable("nc")),
        pool=cast(asyncpg.Pool, _unavailable("pool")),
        store=memory,
        runner=CommandRunner(memory, sealer=Sealer(keys)),
        readside=cast(ReadSide, _unavailable("readside")),
        facts=Facts(memory),
        keys=keys,
    )


def ctx_for(
    rt: Runtime,
    deps: Any,
    *,
    kab: str,
    kec: str,
    body: Any = None,
    params: dict[str, Any] | None = None,
    scope: Scope | None = None,
    command_id: str | None = None,
    kecamatan: KecamatanConfigured | None = None,
    today: date | None = None,
    actor: str = "tester",
) -> Ctx[Any]:
    """The context a handler is given for one request (codes with or without dots).
    `kecamatan` is what `ctx.setup` answers: pass what `configure` returned."""
    req = RpcRequest(
        kab=kab,
        kec=kec,
        command_id=command_id or str(uuid.uuid4()),
        actor=actor,
        scope=scope,
        params=params or {},
        body=body,
    )
    if today is None:
        return Ctx(req, rt, deps, kecamatan)
    return Ctx(req, rt, deps, kecamatan, today)


def default_desa(tenant: Tenant) -> list[Desa]:
    """Three desa of the kecamatan: `<kec>.2001` Balerejo, `.2002` Kawedanan, `.2003` Sumberejo."""
    names = ("Balerejo", "Kawedanan", "Sumberejo")
    return [Desa(code=f"{tenant.kec_dotted}.{2001 + i}", name=n) for i, n in enumerate(names)]


def _as_desa(given: Desa | tuple[str, str] | str, tenant: Tenant, i: int) -> Desa:
    if isinstance(given, Desa):
        return given
    if isinstance(given, tuple):
        return Desa(code=given[0], name=given[1])
    return Desa(code=f"{tenant.kec_dotted}.{2001 + i}", name=given)


_SETUP = AggregateType[None]("scheduler", "kecamatan", lambda: None, lambda state, event: state)


async def configure(
    store: EventStore,
    tenant: Tenant,
    *,
    desa: Sequence[Desa | tuple[str, str] | str] | None = None,
    units: Sequence[str] = UNITS,
    name: str = "Kecamatan Uji",
    fifth_friday: ActivityKind | None = None,
    days_off: Sequence[DayOff] = (),
) -> KecamatanConfigured:
    """Set the kecamatan up in the log as the scheduler does (its `KecamatanConfigured`, on
    its aggregate), so `facts.require_kecamatan` and the edge find it. `desa`: `Desa`,
    `(code, name)` or a bare name (coded `<kec>.2001`, `.2002`, ... by position); three
    default ones when absent. Configure again to change the set-up. Returns the event."""
    chosen = (
        default_desa(tenant)
        if desa is None
        else [_as_desa(d, tenant, i) for i, d in enumerate(desa)]
    )
    event = KecamatanConfigured(
        kecamatan=tenant.kec_dotted,
        name=name,
        desa=chosen,
        units=list(units),
        fifth_friday=fifth_friday,
        days_off=list(days_off),
    )
    cid = f"configure-{uuid.uuid4()}"
    meta = Metadata(command_id=cid, correlation_id=cid, actor="tester")
    events: list[DomainEvent] = [event]
    await CommandRunner(store).execute(_SETUP, kecamatan_ref(tenant), meta, lambda _: events)
    return event


async def call_edge(
    rt: Runtime, api: Api[Any], deps: Any, message: type[Any], req: RpcRequest
) -> RpcReply:
    """A request through the kit's edge as a service serves it (`api.endpoint`: wait, check
    the kecamatan, the area and the path's id, parse, handle, map errors), without NATS."""
    return await api.endpoint(rt, deps, message)(req)


# -- the data keys -----------------------------------------------------------------------


class MemoryKeyStore(KeyStore):
    """Data keys per subject in a dict (`keys`, None once shredded): `KeyStore`'s behaviour
    without PostgreSQL or key files."""

    def __init__(self, schema: str = "memory_keys") -> None:
        super().__init__(None, schema, TEST_SECRET, Path("/nonexistent"))
        self.keys: dict[str, bytes | None] = {}
        self.lookups = cast(LookupKeys, MemoryLookupKeys())

    async def create(self, key_ids: Sequence[str]) -> tuple[dict[str, bytes], list[str]]:
        made = [k for k in key_ids if k not in self.keys]
        for k in made:
            self.keys[k] = AESGCM.generate_key(bit_length=256)
        found: dict[str, bytes] = {}
        for k in key_ids:
            key = self.keys[k]
            if key is None:
                raise KeyShredded(k)
            found[k] = key
        return found, made

    async def existing(self, key_id: str) -> bytes | None:
        return self.keys.get(key_id)

    async def opened(self, conn: object, ids: Iterable[str]) -> dict[str, bytes]:
        return {k: key for k in ids if (key := self.keys.get(k)) is not None}

    async def discard(self, key_ids: Sequence[str]) -> None:
        for k in key_ids:
            self.keys.pop(k, None)

    async def shred(self, key_id: str) -> bool:
        if key_id in self.keys and self.keys[key_id] is None:
            return False
        self.keys[key_id] = None
        return True


class MemoryLookupKeys:
    """`LookupKeys` in memory (`epochs`: scope -> (epoch, key)), one process, no locks."""

    def __init__(self) -> None:
        self.epochs: dict[str, tuple[int, bytes]] = {}
        self.stale: set[str] = set()

    def _now(self, scope: str) -> Lookup:
        epoch, key = self.epochs.get(scope, (0, None))
        return Lookup(scope, epoch, key, scope in self.stale)

    @contextlib.asynccontextmanager
    async def current(self, scope: str) -> AsyncIterator[Lookup]:
        yield self._now(scope)

    @contextlib.asynccontextmanager
    async def rotating(self, scope: str) -> AsyncIterator[Rotation]:
        old = self._now(scope)
        rotation = Rotation(old, Lookup(scope, old.epoch + 1, os.urandom(32)), cast(Any, None))
        yield rotation
        if rotation.skipped:
            return
        assert rotation.new.key is not None
        self.epochs[scope] = (rotation.new.epoch, rotation.new.key)
        self.stale.discard(scope)

    async def forgotten(self, conn: object, scope: str, seq: int) -> None:
        self.stale.add(scope)
