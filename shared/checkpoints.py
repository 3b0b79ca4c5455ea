"""The running digest of a kabupaten's log and its periodic, signed checkpoints."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.canonical import GENESIS_HASH
from shared.clock import utc_now
from shared.envelope import Metadata
from shared.events.audit import LogCheckpointed, checkpoint_ref
from shared.eventstore import ConcurrencyConflict, EventStore
from shared.logreader import StoredEvent, read_pages
from shared.tenancy import STREAM_PREFIX, kab_of_stream, stream_name

log = logging.getLogger("smart.checkpoints")


def signing_key(secret: str) -> Ed25519PrivateKey:
    """The deployment's Ed25519 key, derived from its secret (so nothing else to keep)."""
    if not secret:
        raise ValueError("SMART_SECRET_KEY is empty: checkpoints cannot be signed")
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"jumat-smart", info=b"checkpoint")
    return Ed25519PrivateKey.from_private_bytes(seed.derive(secret.encode()))


def public_key_hex(key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat  # noqa: PLC0415

    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


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
    """Appends a signed checkpoint to a kabupaten's log when it has grown since the last."""

    def __init__(self, store: EventStore, secret: str) -> None:
        self.store = store
        self.key = signing_key(secret)
        self.public = public_key_hex(self.key)

    async def last(self, kab: str) -> tuple[StoredEvent | None, LogCheckpointed | None]:
        events = await self.store.load(checkpoint_ref(kab))
        if not events:
            return None, None
        event = events[-1].event
        assert isinstance(event, LogCheckpointed)
        return events[-1], event

    async def checkpoint(self, kab: str) -> LogCheckpointed | None:
        """Sign the log up to its current end; None when nothing new since the last one."""
        ref = checkpoint_ref(kab)
        stored, last = await self.last(kab)
        running = RunningDigest()
        if last is not None:
            running = RunningDigest(last.digest, last.upto_seq, last.events)
        start = running.upto
        async for page in read_pages(
            self.store.nc, stream_name(kab), f"smart.{kab}.>", running.upto + 1, batch=2000
        ):
            for event in page:
                running.feed(event)
        nothing_new = running.upto == start or (stored is not None and running.upto == stored.seq)
        if nothing_new:
            return None
        cp = LogCheckpointed(
            upto_seq=running.upto,
            events=running.events,
            digest=running.digest,
            public_key=self.public,
            signature=self.key.sign(_message(kab, running.upto, running.digest)).hex(),
        )
        cid = f"checkpoint-{kab}-{running.upto}"
        meta = Metadata(command_id=cid, correlation_id=str(uuid.uuid4()), actor="system:audit")
        try:
            await self.store.append(
                ref,
                [cp],
                meta,
                expected_last_seq=stored.seq if stored else 0,
                version=stored.envelope.aggregate_version if stored else 0,
                prev_hash=stored.envelope.hash if stored else GENESIS_HASH,
                now=utc_now(),
            )
        except ConcurrencyConflict:
            return None
        return cp


async def checkpoint_forever(
    store: EventStore, secret: str, interval_s: float, kabupaten: list[str] | None = None
) -> None:
    """Every `interval_s`, sign every served kabupaten's log that grew since its last
    checkpoint. Several of these may run: the conditional append lets one win."""
    checkpointer = Checkpointer(store, secret)
    while True:
        for name in await store.stream_names():
            kab = kab_of_stream(name)
            if name.startswith(STREAM_PREFIX) and (kabupaten is None or kab in kabupaten):
                try:
                    await checkpointer.checkpoint(kab)
                except Exception:
                    log.exception("checkpoint of %s failed; will try again", name)
        await asyncio.sleep(interval_s)
