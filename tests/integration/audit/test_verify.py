"""`smart verify` of one kabupaten or one kecamatan on the generator's history: each
checks only its own share of the log and of the read models, and names what differs."""

from __future__ import annotations

import functools
import json
import re

import asyncpg
import pytest
from nats.aio.client import Client as NATS

from services.cli import ops
from services.cli.context import CannotRun
from shared.audit import verify_all_read_models, verify_kecamatan_log
from shared.config import Settings
from shared.eventstore import EventStore
from shared.logreader import read_pages
from shared.pages import Progress
from shared.readside import ReadSide
from shared.replay_workers import Workers
from shared.tenancy import Tenant, stream_name
from tests.integration.audit.conftest import kecamatan_of

pytestmark = pytest.mark.integration


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
    assert await ops.verify(settings, None) == 0
    assert await ops.verify(settings, None, workers=2) == 0  # read models rebuilt in processes
    assert await ops.verify(settings, None, kec=target) == 0
    out = capsys.readouterr().out
    assert f"OK   log {stream_name(kab)} ({history} checked)" in out
    assert f"OK   log {stream_name(kab)}, kecamatan {target} ({len(own)} checked)" in out
    assert f"OK   read models donations, kecamatan {target}" in out

    await pool.execute(
        "update donations.fund set donated_idr = 1 where kab = $1 and kec = $2", kab, target
    )
    assert await ops.verify(settings, None, kec=other) == 0
    assert await ops.verify(settings, None, kec=target) == 1
    out = capsys.readouterr().out.split("VERIFIED: no discrepancy")[1]
    assert f"FAIL read models donations, kecamatan {target}" in out
    fund = next(line for line in out.splitlines() if "donations.fund:" in line)
    assert re.search(rf"not from the log: \({kab},{target},\d+,1,", fund)  # donated_idr = 1
    assert "OK   read models scheduler" in out  # only what differs fails
    assert await ops.verify(settings, None, [kab]) == 1
    assert await ops.verify(settings, None, [kab], workers=2) == 1
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
        await ops.verify(settings, None, kept={5: "0" * 64}, kec=f"{kab}11")
    with pytest.raises(CannotRun, match="--kec 35201: kecamatan code"):
        await ops.verify(settings, None, kec="35.20.1")
    with pytest.raises(CannotRun, match=f"--kec {kab}11 is not in kabupaten 3520"):
        await ops.verify(settings, None, ["3520"], kec=f"{kab}11")
    with pytest.raises(CannotRun, match=f"no log for kabupaten {kab}"):
        await ops.verify(settings, None, kec=f"{kab}11")
