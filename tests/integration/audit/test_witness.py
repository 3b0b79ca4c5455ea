"""Witnesses: `smart witness` keeps every signed checkpoint outside the system, with the
auditor's credential, and refuses what contradicts them; `smart verify --witness` names
the first witnessed checkpoint the log no longer matches, even after a rewrite by someone
holding every key."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nats.aio.client import Client as NATS
from nats.js.api import StreamConfig

from services.cli.witness import witness
from services.cli.witness_file import WitnessFile
from shared.audit.checkpoints import Checkpointer
from shared.audit.verdict import verify_stream
from shared.config import Settings
from shared.events.audit import LogCheckpointed, checkpoint_ref
from shared.infra.credentials import role_settings
from shared.infra.local import Endpoints
from shared.infra.permissions import AUDITOR
from shared.log.eventstore import EventStore
from shared.log.signing import Signer, public_hex
from shared.tenancy import stream_name
from tests.support import tally

pytestmark = pytest.mark.integration
SECRET = "witness-secret"


async def history(nc: NATS, kab: str, values: list[int]) -> LogCheckpointed:
    """Signed events appended, then the log checkpointed up to its end."""
    await tally(nc, kab, values, "c1", EventStore(nc, signer=Signer.derive(SECRET, "tally")))
    checkpoint = await Checkpointer(EventStore(nc), SECRET).checkpoint(kab)
    assert checkpoint is not None
    return checkpoint


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


async def smart(infra: Endpoints, kab: str, *args: str) -> tuple[int, str]:
    """The `smart` command line on the test servers, serving the test's kabupaten."""
    env = {
        **os.environ,
        "SMART_NATS_URL": infra.nats_url,
        "SMART_DATABASE_URL": infra.database_url,
        "SMART_KABUPATEN": kab,
        "SMART_SECRET_KEY": SECRET,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.cli.main",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 90)
    return int(process.returncode or 0), out.decode()


async def test_the_witness_keeps_each_new_checkpoint_once_and_verify_matches_them(
    nc: NATS, settings: Settings, kab: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a log with two signed checkpoints
    first = await history(nc, kab, [1, 2, 3])
    second = await history(nc, kab, [4])
    out, auditor = tmp_path / "witness.jsonl", role_settings(settings, AUDITOR)
    # When the witness runs with the auditor's credential, twice
    assert await witness(auditor, out, [kab], once=True) == 0
    assert await witness(auditor, out, [kab], once=True) == 0
    # Then it holds each checkpoint once, signed, with the event that carried it
    held = lines(out)
    assert [(e["upto_seq"], e["digest"]) for e in held] == [
        (first.upto_seq, first.digest),
        (second.upto_seq, second.digest),
    ]
    assert held[0]["signature"] == first.signature
    assert held[0]["public_key"] == first.public_key
    ref = checkpoint_ref(kab)
    carried = await EventStore(nc).get(kab, int(str(held[1]["seq"])))
    assert carried is not None
    assert carried.subject == ref.subject
    assert held[1]["hash"] == carried.envelope.hash
    assert f"{stream_name(kab)}: 0 new checkpoint(s) witnessed, 2 held" in capsys.readouterr().out
    # And a later checkpoint is appended after them
    third = await history(nc, kab, [5])
    assert await witness(auditor, out, [kab], once=True) == 0
    assert [e["upto_seq"] for e in lines(out)] == [first.upto_seq, second.upto_seq, third.upto_seq]
    # And the log matches every one of them
    verdict = await verify_stream(
        EventStore(nc), kab, secret=SECRET, kept=WitnessFile.load(out).kept()
    )
    assert verdict.problems == []
    assert verdict.matches[0].startswith(f"the kept digest {kab}:{first.upto_seq}:{first.digest}")
    assert "witnessed in witness.jsonl line 1" in verdict.matches[0]
    assert len(verdict.matches) == 3


async def test_a_log_rewritten_with_every_key_is_refused_and_named(
    nc: NATS, infra: Endpoints, settings: Settings, kab: str, tmp_path: Path
) -> None:
    # Given a witnessed log
    first = await history(nc, kab, [1, 2, 3])
    await history(nc, kab, [4])
    out, auditor = tmp_path / "witness.jsonl", role_settings(settings, AUDITOR).nats_url
    run = ("witness", "--out", str(out), "--kab", kab, "--once", "--nats-url", str(auditor))
    code, text = await smart(infra, kab, *run)
    assert code == 0, text
    assert len(lines(out)) == 2
    # When an insider holding every key and the admin's credential rewrites it: the stream
    # deleted, the history appended again with one value changed, checkpoints signed anew
    await nc.jetstream().delete_stream(stream_name(kab))
    rewritten = await history(nc, kab, [1, 2, 30])
    await history(nc, kab, [4])
    assert (rewritten.upto_seq, rewritten.events) == (first.upto_seq, first.events)
    assert rewritten.digest != first.digest
    # Then the witness refuses the new checkpoints and keeps what it held
    code, text = await smart(infra, kab, *run)
    assert code == 1, text
    assert f"REFUSED {stream_name(kab)}: the checkpoint witnessed at seq" in text
    assert "is no longer in the log as it was" in text
    assert len(lines(out)) == 2
    # And verify names the first witnessed checkpoint the log no longer matches
    code, text = await smart(infra, kab, "verify", "--kab", kab, "--witness", str(out))
    assert code == 1, text
    assert (
        f"seq {first.upto_seq}: the log differs from the digest kept outside,"
        f" {kab}:{first.upto_seq}:{first.digest} (witnessed in witness.jsonl line 1"
    ) in text
    assert f"an event in seqs 1..{first.upto_seq} was changed, removed or inserted" in text
    assert "1 later kept digest(s) differ as well" in text


async def test_a_removed_event_is_named_by_verify_witness(
    nc: NATS, settings: Settings, kab: str, tmp_path: Path
) -> None:
    # Given a witnessed log whose stream the admin recreated without the delete guard
    js = nc.jetstream()
    config = StreamConfig(name=stream_name(kab), subjects=[f"smart.{kab}.>"], allow_direct=True)
    await js.add_stream(config)
    first = await history(nc, kab, [1, 2, 3])
    second = await history(nc, kab, [4])
    out = tmp_path / "witness.jsonl"
    assert await witness(role_settings(settings, AUDITOR), out, [kab], once=True) == 0
    # When an event both checkpoints cover is removed
    await js.delete_msg(stream_name(kab), first.upto_seq - 1)
    verdict = await verify_stream(EventStore(nc), kab, kept=WitnessFile.load(out).kept())
    # Then the first witnessed checkpoint is named, and the later one counted
    named = f"seq {first.upto_seq}: the log differs from the digest kept outside, {kab}:"
    assert any(p.startswith(named) and "line 1" in p for p in verdict.problems)
    assert "1 later kept digest(s) differ as well" in verdict.problems
    assert second.upto_seq > first.upto_seq


def signed(
    kab: str, key: Ed25519PrivateKey, upto: int, events: int, digest: str
) -> LogCheckpointed:
    message = f"jumat-smart log {kab} upto {upto} digest {digest}".encode()
    return LogCheckpointed(
        upto_seq=upto,
        events=events,
        digest=digest,
        public_key=public_hex(key),
        signature=key.sign(message).hex(),
    )


async def forge(nc: NATS, kab: str, checkpoint: LogCheckpointed) -> None:
    """An insider with the audit key appends a checkpoint of their own making."""
    checkpoints = Checkpointer(EventStore(nc), SECRET)
    tail = await EventStore(nc).last_of(checkpoint_ref(kab))
    ref = checkpoint_ref(kab)
    assert await checkpoints.append(ref, checkpoint, f"forged-{checkpoint.digest[:8]}", tail)


async def test_a_checkpoint_that_contradicts_or_does_not_extend_is_refused(
    nc: NATS,
    settings: Settings,
    kab: str,
    kab2: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    auditor, key = role_settings(settings, AUDITOR), Checkpointer(EventStore(nc), SECRET).key
    # Given a witnessed checkpoint, and a second one signed with the same key that says the
    # log up to the same sequence had another digest
    first = await history(nc, kab, [1, 2])
    out = tmp_path / "witness.jsonl"
    assert await witness(auditor, out, [kab], once=True) == 0
    await forge(nc, kab, signed(kab, key, first.upto_seq, first.events, "ab" * 32))
    # Then the witness refuses it
    assert await witness(auditor, out, [kab], once=True) == 1
    err = capsys.readouterr().err
    assert f"says the log up to seq {first.upto_seq} had digest {'ab' * 32}" in err
    assert f"the witness holds {kab}:{first.upto_seq}:{first.digest}" in err
    # Given another witnessed log, then a checkpoint further on whose digest was not
    # computed over it (the events since were rewritten, or it is forged)
    other = await history(nc, kab2, [1, 2])
    assert await witness(auditor, out, [kab2], once=True) == 0
    await tally(nc, kab2, [3], "c1", EventStore(nc, signer=Signer.derive(SECRET, "tally")))
    end = await EventStore(nc).last_seq(kab2)
    await forge(nc, kab2, signed(kab2, key, end, other.events + 2, "cd" * 32))
    assert await witness(auditor, out, [kab2], once=True) == 1
    err = capsys.readouterr().err
    assert f"does not extend the one witnessed up to seq {other.upto_seq}" in err
    assert [e["kab"] for e in lines(out)].count(kab2) == 1
    # And a witness that pins another audit key refuses the checkpoints of this one
    pinned = tmp_path / "pinned.jsonl"
    assert await witness(auditor, pinned, [kab2], once=True, public_key="00" * 32) == 1
    assert f"is signed with key {first.public_key}, not {'00' * 32}" in capsys.readouterr().err
    assert pinned.read_text() == ""
