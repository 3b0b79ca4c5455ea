"""`smart witness`: every signed checkpoint of the logs, kept in a file outside the system.

Run by an auditor or the kabupaten, with a credential that only reads the log. The file is
append-only JSON lines, fsynced; a checkpoint goes in only once the witness has checked
that it extends the ones already held (its digest recomputed from the log since the last
one). One that contradicts what the file holds is refused, loudly, and nothing after it is
appended. `smart verify --witness FILE` then proves that no event a witnessed checkpoint
covers was changed, removed or inserted since, even by someone holding every key."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NoReturn

from nats.aio.client import Client as NATS

from services.cli.context import ENDPOINTS_FILE, CannotRun
from services.cli.reach import reach_nats
from services.cli.witness_file import Witnessed, WitnessFile, appending
from shared.audit.checkpoints import RunningDigest, signature_ok
from shared.audit.logdigest import KeptDigest
from shared.clock import utc_now
from shared.config import Settings
from shared.events.audit import LogCheckpointed, checkpoint_ref
from shared.infra.credentials import inbox_prefix, role_settings
from shared.infra.permissions import AUDITOR
from shared.log.envelope import MalformedEvent
from shared.log.eventstore import EventStore
from shared.log.reader import StoredEvent, direct_pages, read_pages
from shared.tenancy import STREAM_PREFIX, kab_of_stream, stream_name

INTERVAL_S = 60.0


class WitnessRefused(RuntimeError):
    """A checkpoint in the log contradicts what the witness holds (exit code 1)."""


@dataclass
class Witness:
    """Witnesses one kabupaten's checkpoints against what the file holds of it."""

    nc: NATS
    file: WitnessFile
    out: IO[str]
    pinned: str | None = None

    async def kabupaten(self, kab: str) -> int:
        """Append the checkpoints new since the last one held; how many. `WitnessRefused`
        at the first that cannot be vouched for (those before it are kept)."""
        held = self.file.held.get(kab, [])
        last = held[-1] if held else None
        if last is not None:
            await self._still_there(kab, last)
        fresh = await self._new_checkpoints(kab, last, held)
        if not fresh:
            return 0
        running = (
            RunningDigest(last.digest, last.upto_seq, last.events) if last else RunningDigest()
        )
        return await self._extend(kab, running, fresh)

    async def _still_there(self, kab: str, last: Witnessed) -> None:
        event = await EventStore(self.nc).get(kab, last.seq)
        if event is None or event.envelope.hash != last.hash:
            raise WitnessRefused(
                f"the checkpoint witnessed at seq {last.seq} ({last.kept}) is no longer in"
                " the log as it was: the log was rewritten"
            )

    async def _new_checkpoints(
        self, kab: str, last: Witnessed | None, held: list[Witnessed]
    ) -> list[tuple[StoredEvent, LogCheckpointed]]:
        subject = checkpoint_ref(kab).subject
        digests = {e.upto_seq: e.digest for e in held}
        key = self.pinned or (held[0].public_key if held else None)
        start, upto, tail = (last.seq + 1, last.upto_seq, last.hash) if last else (1, 0, None)
        fresh: list[tuple[StoredEvent, LogCheckpointed]] = []
        async for page in direct_pages(self.nc, stream_name(kab), subject, start):
            for event in page:
                cp = _checkpoint(kab, event, key, tail)
                known = digests.get(cp.upto_seq)
                if known is not None and known != cp.digest:
                    raise WitnessRefused(
                        f"the checkpoint at seq {event.seq} says the log up to seq"
                        f" {cp.upto_seq} had digest {cp.digest}; the witness holds"
                        f" {kab}:{cp.upto_seq}:{known}"
                    )
                if cp.upto_seq <= upto:
                    raise WitnessRefused(
                        f"the checkpoint at seq {event.seq} goes back to seq {cp.upto_seq},"
                        f" before the one witnessed up to {upto}"
                    )
                key, upto, tail = cp.public_key, cp.upto_seq, event.envelope.hash
                fresh.append((event, cp))
        return fresh

    async def _extend(
        self, kab: str, running: RunningDigest, fresh: list[tuple[StoredEvent, LogCheckpointed]]
    ) -> int:
        """Recompute the digest from the last one held through each new checkpoint's
        sequence; append each that it matches, refuse the first it does not."""
        waiting = list(fresh)
        reads = read_pages(self.nc, stream_name(kab), f"smart.{kab}.>", running.upto + 1, 2000)
        async with contextlib.aclosing(reads) as pages:
            async for page in pages:
                for event in page:
                    running.feed(event)
                    if running.upto > waiting[0][1].upto_seq:
                        _gone(*waiting[0])
                    if running.upto == waiting[0][1].upto_seq:
                        self._vouch(kab, running, *waiting.pop(0))
                        if not waiting:
                            return len(fresh)
        _gone(*waiting[0])
        return 0  # not reached: _gone raises

    def _vouch(
        self, kab: str, running: RunningDigest, event: StoredEvent, cp: LogCheckpointed
    ) -> None:
        if (running.digest, running.events) != (cp.digest, cp.events):
            last = self.file.held.get(kab, [])
            since = f"the one witnessed up to seq {last[-1].upto_seq}" if last else "seq 1"
            raise WitnessRefused(
                f"the checkpoint at seq {event.seq} ({KeptDigest.of(kab, cp)}) does not"
                f" extend {since}: the log from there to seq {cp.upto_seq} now has digest"
                f" {running.digest} over {running.events} events; it was rewritten, or"
                " the checkpoint is forged"
            )
        self.file.append(self.out, Witnessed.of(kab, event, cp, utc_now()))


def _gone(event: StoredEvent, cp: LogCheckpointed) -> NoReturn:
    raise WitnessRefused(
        f"the checkpoint at seq {event.seq} covers the log up to seq {cp.upto_seq}, which"
        " the log no longer has: events up to it were removed"
    )


def _checkpoint(kab: str, event: StoredEvent, key: str | None, tail: str | None) -> LogCheckpointed:
    """The event as a checkpoint the witness may take: signed, by the key it holds, and
    next in the checkpoints' own chain after the last one it took."""
    where = f"seq {event.seq} ({event.subject})"
    try:
        cp = event.event
    except MalformedEvent as exc:
        raise WitnessRefused(f"{where} is not a checkpoint: {exc}") from None
    if not isinstance(cp, LogCheckpointed):
        raise WitnessRefused(f"{where} is a {type(cp).__name__}, not a checkpoint")
    if not signature_ok(kab, cp):
        raise WitnessRefused(f"{where}: the checkpoint's signature does not match")
    if key is not None and cp.public_key != key:
        raise WitnessRefused(f"{where} is signed with key {cp.public_key}, not {key}")
    if tail is not None and event.envelope.prev_hash != tail:
        raise WitnessRefused(f"{where} does not follow the last checkpoint witnessed")
    return cp


def add_witness_options(parser: argparse.ArgumentParser) -> None:
    """`smart witness`'s options (the parser lives in services/cli/main.py)."""
    parser.add_argument("--out", required=True, type=Path, help="the witness file (JSON lines)")
    parser.add_argument("--kab", action="append", default=None, help="only this kabupaten")
    parser.add_argument("--once", action="store_true", help="one round, then exit (cron)")
    parser.add_argument("--interval", type=float, default=INTERVAL_S, help="seconds per round")
    parser.add_argument("--nats-url", default=None, help="the system's NATS (else SMART_NATS_URL)")
    parser.add_argument("--creds", default=None, help="a NATS credentials file (the auditor's)")
    parser.add_argument("--public-key", default=None, help="the audit key the checkpoints bear")
    parser.add_argument("--data-dir", default=None)


def witness_settings(data_dir: str | None, nats_url: str | None) -> Settings:
    """Where the system's NATS is, and the auditor's credential where this machine has it:
    `--nats-url`, else SMART_NATS_URL, else the data directory's endpoints."""
    settings = Settings()
    if data_dir:
        settings = settings.model_copy(update={"data_dir": Path(data_dir)})
    url = nats_url or settings.nats_url
    if url is None:
        path = settings.data_dir / ENDPOINTS_FILE
        if not path.exists():
            raise CannotRun(f"no NATS to witness: give --nats-url, or --data-dir ({path})")
        known = json.loads(path.read_text())
        url = known["nats_url"]
        if settings.credentials_dir is None and known.get("credentials_dir"):
            settings = settings.model_copy(
                update={"credentials_dir": Path(known["credentials_dir"])}
            )
    return role_settings(settings.model_copy(update={"nats_url": url}), AUDITOR)


async def witness(
    settings: Settings,
    out: Path,
    kabs: list[str] | None = None,
    *,
    once: bool = False,
    interval: float = INTERVAL_S,
    creds: str | None = None,
    public_key: str | None = None,
) -> int:
    """Rounds of witnessing every kabupaten's log (or `kabs`); 1 once a checkpoint is
    refused, after the round."""
    options = {"user_credentials": creds} if creds else {}
    nc = await reach_nats(
        settings.nats_servers(), "smart-witness", inbox_prefix=inbox_prefix(AUDITOR), **options
    )
    try:
        with appending(out) as handle:
            file = WitnessFile.load(out)
            while True:
                if await _round(Witness(nc, file, handle, public_key), kabs):
                    return 1
                if once:
                    return 0
                await asyncio.sleep(interval)
    finally:
        await nc.close()


async def _round(witness: Witness, kabs: list[str] | None) -> int:
    """Witness each log once; how many refused."""
    names = await EventStore(witness.nc).stream_names()
    logs = [kab_of_stream(n) for n in names if n.startswith(STREAM_PREFIX)]
    refused = 0
    for kab in kabs or logs:
        if kab not in logs:
            print(f"REFUSED {stream_name(kab)}: no such log", file=sys.stderr)
            refused += 1
            continue
        try:
            added = await witness.kabupaten(kab)
        except WitnessRefused as exc:
            print(f"REFUSED {stream_name(kab)}: {exc}", file=sys.stderr)
            refused += 1
            continue
        held = witness.file.held.get(kab, [])
        upto = f", up to seq {held[-1].upto_seq}" if held else ""
        print(f"{stream_name(kab)}: {added} new checkpoint(s) witnessed, {len(held)} held{upto}")
    return refused
