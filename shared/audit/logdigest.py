"""The log's digest in the one form that is printed, kept and checked, `<kab>:<seq>:<sha256>`:
the running digest of the signed checkpoints (`RunningDigest`) of the log up to `seq`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from nats.aio.client import Client as NATS

from shared.audit.checkpoints import RunningDigest, signature_ok
from shared.events.audit import LogCheckpointed, checkpoint_ref
from shared.log.canonical import GENESIS_HASH
from shared.log.envelope import MalformedEvent
from shared.log.eventstore import EventStore
from shared.log.reader import ShortRead, StoredEvent, direct_pages
from shared.tenancy import stream_name

FORM = "KAB:SEQ:SHA256"
_DIGEST = re.compile(r"^(\d{2}\.?\d{2}):(\d+):([0-9a-fA-F]{64})$")


@dataclass(frozen=True)
class KeptDigest:
    """A digest of a kabupaten's log up to `upto_seq`, kept outside the system (printed in
    an SKK report, copied from the transparency page, held in a witness file); `source`
    says where, for the messages of `smart verify`."""

    kab: str
    upto_seq: int
    digest: str
    source: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.kab}:{self.upto_seq}:{self.digest}"

    @property
    def named(self) -> str:
        return f"{self} ({self.source})" if self.source else str(self)

    @classmethod
    def parse(cls, text: str, source: str = "") -> KeptDigest:
        """`3520:951:<64 hex digits>` (a dotted code, `35.20`, is taken too)."""
        found = _DIGEST.match(text.strip())
        if found is None:
            raise ValueError(
                f"{text!r} is not a log digest: expected {FORM} (e.g. 3520:951:<64 hex"
                " digits>), as the SKK report and the transparency page print it"
            )
        kab, seq, digest = found.groups()
        return cls(kab.replace(".", ""), int(seq), digest.lower(), source)

    @classmethod
    def of(cls, kab: str, checkpoint: LogCheckpointed, source: str = "") -> KeptDigest:
        return cls(kab, checkpoint.upto_seq, checkpoint.digest, source)


async def digest_log(nc: NATS, kab: str) -> KeptDigest:
    """The digest of the kabupaten's whole log as it is now, computed from its first event
    (not taken from a checkpoint: a report's copy is a witness of its own). Read with
    direct gets, which every reader of the log may use; a sequence missing from what was
    read must be one the stream removed, or the read is short and fails (`ShortRead`)."""
    store, running = EventStore(nc), RunningDigest()
    if not await store.has_stream(kab):
        return KeptDigest(kab, 0, GENESIS_HASH)
    skipped: list[int] = []
    async for page in direct_pages(nc, stream_name(kab), f"smart.{kab}.>", 1, 2000):
        for event in page:
            skipped += range(running.upto + 1, event.seq)
            running.feed(event)
    if skipped and not set(skipped) <= set(await store.removed_seqs(kab)):
        raise ShortRead(f"the read of {stream_name(kab)} skipped events the stream holds")
    return KeptDigest(kab, running.upto, running.digest)


async def latest_checkpoint(
    store: EventStore, kab: str
) -> tuple[StoredEvent, LogCheckpointed] | None:
    """The log's last checkpoint, read alone, if it is a checkpoint whose signature holds
    (against the key it names: `smart verify` checks that key is the deployment's)."""
    last = await store.last_of(checkpoint_ref(kab))
    if last is None:
        return None
    try:
        checkpoint = last.event
    except MalformedEvent:
        return None
    if not isinstance(checkpoint, LogCheckpointed) or not signature_ok(kab, checkpoint):
        return None
    return last, checkpoint


@dataclass
class KeptCheck:
    """Kept digests, checked as a read of the log reaches each one's sequence with its
    running digest. The digest chains, so a difference at one sequence shows in every
    digest after it: the first kept digest that differs is named, with where the change
    lies, and the later ones are counted."""

    waiting: dict[int, list[KeptDigest]] = field(default_factory=dict)
    matched: list[KeptDigest] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    differing: int = 0

    @classmethod
    def of(cls, kept: Iterable[KeptDigest]) -> KeptCheck:
        check = cls()
        for digest in kept:
            check.waiting.setdefault(digest.upto_seq, []).append(digest)
        check.reached(0, GENESIS_HASH)
        return check

    def reached(self, seq: int, digest: str) -> None:
        for kept in self.waiting.pop(seq, []):
            if kept.digest == digest:
                self.matched.append(kept)
                continue
            self.differing += 1
            if self.differing == 1:
                good = max((k.upto_seq for k in self.matched), default=0)
                still = f" (the kept digest up to seq {good} still matches)" if good else ""
                self.problems.append(
                    f"seq {seq}: the log differs from the digest kept outside, {kept.named}:"
                    f" an event in seqs {good + 1}..{seq} was changed, removed or inserted{still}"
                )

    def finish(self) -> tuple[list[str], list[str]]:
        """(problems, matches) once the read is done: what differs, what the log no longer
        reaches, and what it matches."""
        problems = list(self.problems)
        if self.differing > 1:
            problems.append(f"{self.differing - 1} later kept digest(s) differ as well")
        problems += [
            f"seq {seq}: not in the log, so the kept digest cannot match: {kept.named}"
            for seq, waiting in sorted(self.waiting.items())
            for kept in waiting
        ]
        if len(self.matched) > 3:
            last = max(k.upto_seq for k in self.matched)
            matches = [f"{len(self.matched)} kept digests, the last up to seq {last}"]
        else:
            matches = [f"the kept digest {k.named}" for k in self.matched]
        return problems, matches
