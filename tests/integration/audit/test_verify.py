"""`smart verify`: of one kabupaten or one kecamatan on the generator's history (each checks
only its own share of the log and of the read models, and names what differs); of the
digests the SKK report and the public page print; failing while dead letters exist; and
exiting 2 within seconds when a server cannot be reached."""

from __future__ import annotations

import asyncio
import csv
import functools
import io
import json
import os
import re
import socket
import sys
import time
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from services.cli import main, ops
from services.cli import verify as verify_cmd
from services.cli.context import CannotRun
from services.gateway.report.cli import write_report
from shared.audit.checkpoints import Checkpointer
from shared.audit.logdigest import KeptDigest, latest_checkpoint
from shared.audit.verdict import verify_all_read_models, verify_kecamatan_log
from shared.config import Settings
from shared.infra.local import Endpoints
from shared.log.eventstore import EventStore
from shared.log.reader import read_pages
from shared.readside.pages import Progress
from shared.readside.replay_workers import Workers
from shared.readside.service import ReadSide
from shared.tenancy import Tenant, stream_name
from tests.integration.audit.conftest import kecamatan_of
from tests.integration.gateway import conftest as gateway_support
from tests.integration.gateway.conftest import Gateway
from tests.support import tally

pytestmark = pytest.mark.integration
gateway = gateway_support.gateway  # its fixture, for these tests


async def test_a_kecamatan_is_verified_on_its_own_and_only_its_discrepancies_count(
    nc: NATS,
    pool: asyncpg.Pool,
    settings: Settings,
    kab: str,
    history: int,
    live: list[ReadSide],
    capsys: pytest.CaptureFixture[str],
) -> None:
    target, other, _ = kecamatan_of(kab)
    own = [
        e
        async for page in read_pages(nc, stream_name(kab), f"smart.{kab}.{target}.>")
        for e in page
    ]
    verdict = await verify_kecamatan_log(EventStore(nc), Tenant(kab, target))
    assert verdict.problems == []
    assert verdict.checked == len(own) < history
    # This process serves one kabupaten (SMART_KABUPATEN); the schemas hold other tests'
    # kabupaten as well, so only its own rows can be compared with its log.
    assert settings.served_kabupaten() == [kab]
    assert await verify_cmd.verify(settings, None) == 0
    assert (
        await verify_cmd.verify(settings, None, workers=2) == 0
    )  # read models rebuilt in processes
    assert await verify_cmd.verify(settings, None, kec=target) == 0
    out = capsys.readouterr().out
    assert f"OK   log {stream_name(kab)} ({history} checked)" in out
    assert f"OK   log {stream_name(kab)}, kecamatan {target} ({len(own)} checked)" in out
    assert f"OK   read models donations, kecamatan {target}" in out

    await pool.execute(
        "update donations.fund set donated_idr = 1 where kab = $1 and kec = $2", kab, target
    )
    assert await verify_cmd.verify(settings, None, kec=other) == 0
    assert await verify_cmd.verify(settings, None, kec=target) == 1
    out = capsys.readouterr().out.split("VERIFIED: no discrepancy")[1]
    assert f"FAIL read models donations, kecamatan {target}" in out
    fund = next(line for line in out.splitlines() if "donations.fund:" in line)
    assert re.search(rf"not from the log: \({kab},{target},\d+,1,", fund)  # donated_idr = 1
    assert "OK   read models scheduler" in out  # only what differs fails
    assert await verify_cmd.verify(settings, None, [kab]) == 1
    assert await verify_cmd.verify(settings, None, [kab], workers=2) == 1
    assert "FAIL read models donations, kabupaten" in capsys.readouterr().out

    for side in live:  # no projector takes the forged event below
        await side.stop()
    forged = json.loads(own[0].data)
    forged["occurred_at"] = "2020-01-01T00:00:00Z"
    await nc.jetstream().publish(own[0].subject, json.dumps(forged).encode())
    bad = await verify_kecamatan_log(EventStore(nc), Tenant(kab, target))
    assert any(
        f"({own[0].subject}): event {forged['event_id']}" in p and "hash does not match" in p
        for p in bad.problems
    )
    assert (await verify_kecamatan_log(EventStore(nc), Tenant(kab, other))).problems == []


async def test_read_models_are_verified_in_worker_processes(
    pool: asyncpg.Pool, settings: Settings, kab: str, history: int, live: list[ReadSide]
) -> None:
    seen: list[Progress] = []
    workers = Workers(
        2,
        functools.partial(ops.readsides_for, settings, None),
        settings.nats_servers(),
        str(settings.database_url),
    )
    verdicts = await verify_all_read_models(live, kab, seen.append, workers)
    assert [v.problems for v in verdicts] == [[], [], [], []]
    assert (seen[-1].stream, seen[-1].events) == ("all streams", history)
    schemas = await pool.fetch(
        "select nspname from pg_namespace where nspname like '%\\_\\_verify'"
        " or nspname like '%\\_\\_shadow'"
    )
    assert schemas == []  # the workers filled the scratch schemas, which are gone


async def test_verify_refuses_a_scope_it_cannot_check(settings: Settings, kab: str) -> None:
    with pytest.raises(CannotRun, match="kept digest covers the whole kabupaten's log"):
        await verify_cmd.verify(settings, None, kept=[KeptDigest(kab, 5, "0" * 64)], kec=f"{kab}11")
    with pytest.raises(CannotRun, match="--kec 35201: kecamatan code"):
        await verify_cmd.verify(settings, None, kec="35.20.1")
    with pytest.raises(CannotRun, match=f"--kec {kab}11 is not in kabupaten 3520"):
        await verify_cmd.verify(settings, None, ["3520"], kec=f"{kab}11")
    with pytest.raises(CannotRun, match=f"no log for kabupaten {kab}"):
        await verify_cmd.verify(settings, None, kec=f"{kab}11")


async def test_the_report_and_the_public_page_print_a_digest_that_verify_takes(
    nc: NATS,
    settings: Settings,
    kab: str,
    gateway: Gateway,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a system serving a kecamatan, whose log the audit signer has checkpointed
    store = EventStore(nc)
    await Checkpointer(store, settings.secret_key.get_secret_value()).checkpoint(kab)
    found = await latest_checkpoint(store, kab)
    assert found is not None
    # When anyone opens the public page, and an auditor writes the SKK report
    page = await gateway.client.get(f"/transparansi/{kab}/{gateway.kec}", params={"lang": "en"})
    assert page.status_code == 200
    shown = re.search(r'<code id="log-digest">([^<]+)</code>', page.text)
    assert shown is not None
    assert shown[1] == str(KeptDigest.of(kab, found[1]))
    assert f'<code id="audit-key">{found[1].public_key}</code>' in page.text
    report = await write_report(settings, gateway.kec, 2024, "csv", str(tmp_path / "skk.zip"))
    about = zipfile.ZipFile(report).read("ringkasan.csv").decode("utf-8-sig")
    printed = dict(csv.reader(io.StringIO(about), delimiter=";"))["sidik_jari_log"]
    assert printed.startswith(f"{kab}:{await store.last_seq(kab)}:")
    # Then verify takes each as printed, and says the log matches them
    kept = main._kept_digests([printed, shown[1]])
    assert await verify_cmd.verify(settings, None, [kab], kept) == 0
    out = capsys.readouterr().out
    assert f"matches: the kept digest {printed} (given with --digest)" in out
    assert f"matches: the kept digest {shown[1]} (given with --digest)" in out
    # And a copy the log does not match fails, named
    forged = printed[:-64] + "0" * 64
    assert await verify_cmd.verify(settings, None, [kab], main._kept_digests([forged])) == 1
    assert f"the log differs from the digest kept outside, {forged}" in capsys.readouterr().out
    with pytest.raises(CannotRun, match="expected KAB:SEQ:SHA256"):
        main._kept_digests(["951:" + "0" * 64])  # the old form, of another formula


async def test_verify_fails_while_a_dead_letter_is_open(
    nc: NATS, pool: asyncpg.Pool, settings: Settings, kab: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a log whose read models verify
    position = await tally(nc, kab, [1, 2, 3])
    assert await verify_cmd.verify(settings, None) == 0
    assert "OK   dead letters (4 checked)" in capsys.readouterr().out
    # When a projector gave up on an event
    letter = await pool.fetchval(
        "insert into donations.dead_letters (projection, stream, seq, subject, event_type,"
        " error, attempts) values ('fund', $1, $2, $3, 'Tallied', 'boom', 5) returning id",
        stream_name(kab),
        position,
        f"smart.{kab}.{kab}01.tally.counter.a1",
    )
    # Then verify fails, naming the service, the projection and the event
    assert await verify_cmd.verify(settings, None) == 1
    out = capsys.readouterr().out
    assert "FAIL dead letters (4 checked)" in out
    assert f"donations.fund on {stream_name(kab)}: 1 open dead letter(s) (seq {position})" in out
    # And once it is resolved, verify passes again
    await pool.execute(
        "update donations.dead_letters set resolved_at = now() where id = $1", letter
    )
    assert await verify_cmd.verify(settings, None) == 0


@pytest_asyncio.fixture
async def silent_port() -> AsyncIterator[int]:
    """A port that accepts connections and never answers (a hung server)."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        for writer in held:
            writer.close()
        server.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def timed_smart(nats_url: str, database_url: str, *args: str) -> tuple[int, str, float]:
    """(exit code, output, seconds) of `smart` run on these URLs."""
    env = {**os.environ, "SMART_NATS_URL": nats_url, "SMART_DATABASE_URL": database_url}
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.cli.main",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return int(process.returncode or 0), out.decode(), time.monotonic() - started


@pytest.mark.slow
async def test_verify_replay_and_status_exit_2_within_15_s_without_their_servers(
    infra: Endpoints, silent_port: int
) -> None:
    nats_closed, pg_closed = (
        f"nats://127.0.0.1:{closed_port()}",
        (f"postgresql://x:y@127.0.0.1:{closed_port()}/postgres"),
    )
    silent_nats, silent_pg = (
        f"nats://127.0.0.1:{silent_port}",
        f"postgresql://x:y@127.0.0.1:{silent_port}/postgres",
    )
    runs = [
        *((nats_closed, infra.database_url, "NATS", c) for c in ("verify", "replay", "status")),
        *((infra.nats_url, pg_closed, "PostgreSQL", c) for c in ("verify", "replay", "status")),
        (silent_nats, infra.database_url, "NATS", "verify"),
        (infra.nats_url, silent_pg, "PostgreSQL", "status"),
    ]
    for first in range(0, len(runs), 2):  # two at a time: each is timed on its own
        pair = runs[first : first + 2]
        done = await asyncio.gather(*(timed_smart(n, d, c) for n, d, _, c in pair))
        for (_, _, server, command), (code, out, took) in zip(pair, done, strict=True):
            assert code == 2, (command, out)
            assert f"smart: cannot reach {server} at " in out, (command, out)
            assert took < 15, (command, server, took)
            assert ":y@" not in out, "no password in the message"
            assert "admin:" not in out, "no password in the message"
