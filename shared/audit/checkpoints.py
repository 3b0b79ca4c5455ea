"""The running digest of a kabupaten's log and its periodic, signed checkpoints: the audit
signer verifies what it signs, and refuses a log that does not verify."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.audit.chain import ChainVerifier, Discrepancy
from shared.audit.refusals import Standing, instructions, standing
from shared.clock import utc_now
from shared.events.audit import (
    LogCheckpointed,
    LogCheckpointRefused,
    LogCheckpointResumed,
    checkpoint_ref,
    refusal_ref,
)
from shared.events.base import DomainEvent
from shared.log.canonical import GENESIS_HASH, stored_hash_ok
from shared.log.envelope import MalformedEvent, Metadata
from shared.log.eventstore import ConcurrencyConflict, EventStore
from shared.log.reader import StoredEvent, read_pages
from shared.log.signing import AUDIT, Signer, derive_key, public_hex, signed_by
from shared.metrics import MeteredEventStore, Metrics
from shared.tenancy import STREAM_PREFIX, AggregateRef, kab_of_stream, stream_name

log = logging.getLogger("smart.checkpoints")
REFUSED_METRIC = "smart_checkpoints_refused_total"


def signing_key(secret: str) -> Ed25519PrivateKey:
    """The deployment's audit key, derived from its secret (so nothing else to keep): it
    signs the checkpoints and vouches for the services' keys (`shared.log.signing`)."""
    if not secret:
        raise ValueError("SMART_SECRET_KEY is empty: checkpoints cannot be signed")
    return derive_key(secret, AUDIT)


def public_key_hex(key: Ed25519PrivateKey) -> str:
    return public_hex(key)


def _message(kab: str, upto_seq: int, digest: str) -> bytes:
    return f"jumat-smart log {kab} upto {upto_seq} digest {digest}".encode()


def signature_ok(kab: str, cp: LogCheckpointed) -> bool:
    public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(cp.public_key))
    try:
        public.verify(bytes.fromhex(cp.signature), _message(kab, cp.upto_seq, cp.digest))
    except InvalidSignature:
        return False
    return True


@dataclass
class RunningDigest:
    """SHA-256 chained over (sequence, event hash) of every event, in stream order."""

    digest: str = GENESIS_HASH
    upto: int = 0
    events: int = 0

    def feed(self, event: StoredEvent) -> None:
        line = f"{self.digest}:{event.seq}:{event.envelope.hash}".encode()
        self.digest = hashlib.sha256(line).hexdigest()
        self.upto = event.seq
        self.events += 1


class Checkpointer:
    """Appends a signed checkpoint to a kabupaten's log when it has grown since the last,
    once the events since then verify: their chains, from where the last checkpoint left
    them, and their signatures. A log that does not verify is refused, in the log itself
    (`shared.audit.refusals`), and stays refused until an operator resumes it."""

    def __init__(self, store: EventStore, secret: str, metrics: Metrics | None = None) -> None:
        if not secret:
            raise ValueError("SMART_SECRET_KEY is empty: checkpoints cannot be signed")
        self.signer = Signer.derive(secret, AUDIT)
        self.store = store.signed_as(self.signer)
        self.key = self.signer.key.private
        self.public = self.signer.key.public
        self.metrics = metrics

    def ours(self, event: StoredEvent) -> bool:
        """Whether the audit key of this deployment wrote the event, as it is stored."""
        ok, doc = stored_hash_ok(event.data)
        return ok and signed_by(event.subject, doc, AUDIT, self.public)

    async def last(self, kab: str) -> tuple[StoredEvent | None, StoredEvent | None]:
        """The checkpoint aggregate's last event (the next one chains after it), and the
        last checkpoint this deployment signed (the next one signs on from it): one whose
        own signature is not this deployment's is not taken for one, wherever it is. (Its
        payload's signature is what counts: checkpoints from before event signatures have
        no other; an old one appended again only makes the signer check more.)"""
        events = await self.store.load(checkpoint_ref(kab))
        trusted = next((e for e in reversed(events) if self._trusted(kab, e)), None)
        return (events[-1] if events else None), trusted

    def _trusted(self, kab: str, event: StoredEvent) -> bool:
        try:
            cp = event.event
        except MalformedEvent:
            return False
        return (
            isinstance(cp, LogCheckpointed)
            and cp.public_key == self.public
            and signature_ok(kab, cp)
        )

    async def checkpoint(self, kab: str) -> LogCheckpointed | None:
        """Sign the log up to its current end; None when nothing is new since the last
        checkpoint, or when the log does not verify (refused: see `standing`)."""
        await self.store.register(kab)  # signing begins in a log from before signatures
        now = await standing(self.store, kab, self.ours)
        if now.refused is not None:
            self._refusing(kab, now)
            return None
        tail, trusted = await self.last(kab)
        last = trusted.event if trusted is not None else None
        running = RunningDigest()
        if isinstance(last, LogCheckpointed):
            running = RunningDigest(last.digest, last.upto_seq, last.events)
        start = running.upto
        verifier = ChainVerifier(audit_key=self.public, from_seq=start + 1)
        verifier.seed(e for e in await self.store.key_registrations(kab) if e.seq <= start)
        async for page in read_pages(
            self.store.nc, stream_name(kab), f"smart.{kab}.>", start + 1, batch=2000
        ):
            verifier.feed(page)
            for event in page:
                running.feed(event)
        if running.upto == start or (trusted is not None and running.upto == trusted.seq):
            return None
        problems = await self._problems(kab, verifier, running.upto, now.accepted_upto)
        if problems:
            await self._refuse(kab, start + 1, running.upto, problems)
            return None
        return await self._sign(kab, running, tail)

    async def _problems(
        self, kab: str, verifier: ChainVerifier, upto: int, accepted_upto: int
    ) -> list[Discrepancy]:
        subjects = sorted(verifier.openings)
        verifier.settle(await self.store.lasts_before(kab, subjects, verifier.from_seq))
        verifier.finish(upto)
        found = [p for p in verifier.problems if p.seq > accepted_upto]
        return sorted(found, key=lambda p: p.seq)

    async def _sign(
        self, kab: str, running: RunningDigest, tail: StoredEvent | None
    ) -> LogCheckpointed | None:
        cp = LogCheckpointed(
            upto_seq=running.upto,
            events=running.events,
            digest=running.digest,
            public_key=self.public,
            signature=self.key.sign(_message(kab, running.upto, running.digest)).hex(),
        )
        appended = await self.append(
            checkpoint_ref(kab), cp, f"checkpoint-{kab}-{running.upto}", tail
        )
        return cp if appended else None

    async def append(
        self,
        ref: AggregateRef,
        event: DomainEvent,
        cid: str,
        tail: StoredEvent | None,
        actor: str = "system:audit",
    ) -> bool:
        """Append one audit event after `tail`, the aggregate's last; False if another
        signer appended first."""
        meta = Metadata(command_id=cid, correlation_id=str(uuid.uuid4()), actor=actor)
        try:
            await self.store.append(
                ref,
                [event],
                meta,
                expected_last_seq=tail.seq if tail else 0,
                version=tail.envelope.aggregate_version if tail else 0,
                prev_hash=tail.envelope.hash if tail else GENESIS_HASH,
                now=utc_now(),
            )
        except ConcurrencyConflict:
            return False
        return True

    async def _refuse(
        self, kab: str, from_seq: int, upto: int, problems: list[Discrepancy]
    ) -> None:
        """Record the refusal in the log (once: a racing signer's is as good), count it,
        and say so with what the operator does."""
        first = problems[0]
        refusal = LogCheckpointRefused(
            from_seq=from_seq,
            upto_seq=upto,
            at_seq=first.seq,
            reason=str(first)[:2000],
            problems=len(problems),
        )
        tail = (await standing(self.store, kab)).tail
        await self.append(refusal_ref(kab), refusal, f"refusal-{kab}-{upto}", tail)
        self._count(kab)
        log.error(
            "not signing the log %s from seq %d to %d: %d discrepancies, the first %s. %s",
            stream_name(kab),
            from_seq,
            upto,
            len(problems),
            first,
            instructions(kab, refusal),
        )

    async def resume(self, kab: str, accepted_upto: int | None, note: str, actor: str) -> int:
        """An operator's resumption of a refused log's checkpoints, accepting the
        discrepancies up to `accepted_upto` (by default the refused range's end); the
        sequence accepted up to."""
        now = await standing(self.store, kab, self.ours)
        if now.refused is None:
            raise ValueError(f"{now.describe(kab)}: nothing to resume")
        upto = accepted_upto or now.refused.upto_seq
        if upto < now.refused.at_seq:
            raise ValueError(
                f"--upto {upto} does not reach the first discrepancy, at seq"
                f" {now.refused.at_seq}: the signer would refuse again"
            )
        event = LogCheckpointResumed(accepted_upto=upto, note=note)
        if not await self.append(
            refusal_ref(kab), event, f"resume-{uuid.uuid4()}", now.tail, actor
        ):
            raise ValueError(f"{stream_name(kab)}: the refusals changed meanwhile; try again")
        return upto

    def _refusing(self, kab: str, now: Standing) -> None:
        self._count(kab)
        log.error("%s", now.describe(kab))

    def _count(self, kab: str) -> None:
        if self.metrics is not None:
            self.metrics.inc(REFUSED_METRIC, stream=stream_name(kab))


async def checkpoint_forever(
    store: EventStore,
    secret: str,
    interval_s: float,
    kabupaten: list[str] | None = None,
    metrics: Metrics | None = None,
) -> None:
    """Every `interval_s`, sign every served kabupaten's log that grew since its last
    checkpoint and verifies. Several of these may run: the conditional append lets one win.
    Refusals are counted in `metrics` (the store's, when it counts for a service)."""
    if metrics is None and isinstance(store, MeteredEventStore):
        metrics = store.metrics
    checkpointer = Checkpointer(store, secret, metrics)
    while True:
        for name in await store.stream_names():
            kab = kab_of_stream(name)
            if name.startswith(STREAM_PREFIX) and (kabupaten is None or kab in kabupaten):
                try:
                    await checkpointer.checkpoint(kab)
                except Exception:
                    log.exception("checkpoint of %s failed; will try again", name)
        await asyncio.sleep(interval_s)
