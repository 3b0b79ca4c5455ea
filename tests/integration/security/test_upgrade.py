"""A data directory made before credentials (NATS open to all, PostgreSQL `trust`): started
now, it is locked down and keeps everything it held: a kecamatan's laptop keeps its data."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import nats
import nats.errors
import pytest

from shared.infra.credentials import POSTGRES, with_user, without_user
from shared.infra.embedded import EmbeddedPostgres, _wait_for_port, nats_server_binary
from shared.infra.local import LocalInfrastructure
from shared.infra.ports import remembered_port
from shared.log.aggregate import CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.tenancy import AggregateRef, Tenant
from tests.support import TALLY, Tallied

pytestmark = pytest.mark.integration
REF = AggregateRef(Tenant("3520", "352005"), "tally", "counter", "c1")


@pytest.fixture
def data_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="smart-legacy-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _open_nats(data: Path) -> tuple[subprocess.Popen[bytes], int]:
    """NATS as it was: a server that lets anybody in."""
    port, store = remembered_port(data, "nats"), data / "nats"
    store.mkdir(parents=True)
    conf = store / "nats.conf"
    conf.write_text(
        f'listen: "127.0.0.1:{port}"\njetstream {{\n  store_dir: "{store / "jetstream"}"\n}}\n'
    )
    proc = subprocess.Popen([str(nats_server_binary()), "-c", str(conf)])
    _wait_for_port(port, proc, "nats-server", 20)
    return proc, port


async def _legacy_nats(data: Path) -> None:
    """One event in Magetan's log, appended by an anonymous client."""
    proc, port = _open_nats(data)
    try:
        nc = await nats.connect(f"nats://127.0.0.1:{port}")
        cid = str(uuid.uuid4())
        meta = Metadata(command_id=cid, correlation_id=cid, actor="t")
        await CommandRunner(EventStore(nc)).execute(TALLY, REF, meta, lambda _: [Tallied(n=7)])
        await nc.close()
    finally:
        proc.terminate()
        proc.wait(10)


async def _legacy_postgres(data: Path) -> None:
    """PostgreSQL as it was: `initdb --auth=trust`, the donations schema the superuser's."""
    pg = EmbeddedPostgres(data)
    pg.pgdata.mkdir(parents=True)
    if os.geteuid() == 0:
        pg._as_root_prepare()
    initdb = [pg._bin("initdb"), "-D", str(pg.pgdata), "-U", "postgres", "--auth=trust"]
    pg._run([*initdb, "--encoding=UTF8", "--locale=C"], timeout=120)
    pg.spawn()
    try:
        pg.wait_ready()
        conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{pg.port}/postgres")
        await conn.execute(
            "create schema donations; create table donations.fund (idr bigint);"
            " insert into donations.fund values (250000)"
        )
        await conn.close()
    finally:
        pg.stop()


async def test_an_open_data_directory_is_locked_down_and_keeps_its_data(data_dir: Path) -> None:
    await _legacy_nats(data_dir)
    await _legacy_postgres(data_dir)

    local = LocalInfrastructure(data_dir)
    endpoints = local.start()
    try:
        with pytest.raises(nats.errors.Error, match="Authorization Violation"):
            await nats.connect(
                without_user(endpoints.nats_url), allow_reconnect=False, max_reconnect_attempts=0
            )
        nc = await nats.connect(endpoints.nats_url)
        loaded = await CommandRunner(EventStore(nc)).load(TALLY, REF)
        await nc.close()
        assert (loaded.version, loaded.state) == (1, 7)

        trusting = without_user(endpoints.database_url).replace("://", "://postgres@")
        with pytest.raises(asyncpg.InvalidPasswordError):
            await asyncpg.connect(trusting)
        assert "trust" not in (local.postgres.pgdata / "pg_hba.conf").read_text()
        password = local.postgres.credentials.password(POSTGRES, "donations")
        conn = await asyncpg.connect(with_user(endpoints.database_url, "donations", password))
        try:
            assert await conn.fetchval("select idr from donations.fund") == 250_000
            await conn.execute("insert into donations.fund values (1)")
            owners = await conn.fetch(
                "select nspowner::regrole::text as s,"
                " (select relowner::regrole::text from pg_class"
                "   where oid = 'donations.fund'::regclass) as t"
                " from pg_namespace where nspname = 'donations'"
            )
            assert [(r["s"], r["t"]) for r in owners] == [("donations", "donations")]
        finally:
            await conn.close()
    finally:
        local.stop()
