"""Personal data never in clear anywhere; forgetting; read models rebuilt from the log."""

from __future__ import annotations

import base64
import logging
from datetime import date

import pytest
from nats.aio.client import Client as NATS
from nats.js.errors import NotFoundError

from shared.audit.chain import ChainVerifier
from shared.db import DbConn
from shared.log.reader import read_pages
from shared.readside.rebuild import rebuild
from shared.runtime import Runtime
from shared.tenancy import stream_name
from tests.integration.distribution.conftest import (
    call,
    configure,
    hand_out,
    hold_charity_friday,
    household,
    open_round,
    procure,
    register,
)

pytestmark = pytest.mark.integration

FORGET = household(
    "",
    1,
    no_kk="3520050101081234",
    nik="3520055708871234",
    name="Sulastri Wahyuningsih",
    address="Dusun Mlaten RT 03 RW 01",
)
KEEP = household(
    "",
    2,
    no_kk="3520050101085678",
    nik="3520051204795678",
    name="Parmin Suharjo",
    address="Dusun Gondang RT 05 RW 02",
)
CLEAR = [
    v
    for body in (FORGET, KEEP)
    for v in (body["no_kk"], body["nik"], body["name"], body["address"])
]


async def stream_bytes(nc: NATS, stream: str, subjects: str) -> list[bytes]:
    return [e.data async for page in read_pages(nc, stream, subjects) for e in page]


async def kv_bytes(nc: NATS, kab: str) -> list[bytes]:
    js = nc.jetstream()
    stream = f"KV_distribution_claims_{kab}"
    state = (await js.stream_info(stream)).state
    found = []
    for seq in range(state.first_seq, state.last_seq + 1):
        try:
            msg = await js.get_msg(stream, seq)
        except NotFoundError:
            continue
        found.append(msg.subject.encode() + (msg.data or b""))
    return found


async def table_rows(conn: DbConn, schema: str, kab: str) -> dict[str, list[str]]:
    tables = [
        r["table_name"]
        for r in await conn.fetch(
            "select table_name from information_schema.tables where table_schema = $1"
            " and table_name not in ('checkpoints', 'dead_letters', 'schema_migrations')",
            schema,
        )
    ]
    return {
        t: sorted(
            r["row"]
            for r in await conn.fetch(
                f"select t::text as row from {schema}.{t} t where kab = $1", kab
            )
        )
        for t in tables
    }


async def test_no_clear_data_anywhere_and_a_forgotten_household_is_unreadable(
    service: Runtime, nc: NATS, kab: str, kec: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    balerejo, garon, _ = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 5)
    gone = await register(nc, kab, kec, FORGET | {"desa": balerejo})
    header = ",".join(KEEP)
    csv = header + "\n" + ",".join(str(v) for v in (KEEP | {"desa": balerejo, "aid": ""}).values())
    imported = await call(nc, "household_import", kab, kec, body={"csv": csv})
    assert imported.data == {"accepted": 1, "rejected": []}
    dup = await call(
        nc, "household_register", kab, kec, body=FORGET | {"desa": garon, "no_kk": KEEP["no_kk"]}
    )
    assert dup.error["code"] == "DUPLICATE_HOUSEHOLD"
    kept = (await call(nc, "households", kab, kec, wait_for=imported.position)).data["households"]
    keep = next(h["household_id"] for h in kept if h["household_id"] != gone)
    await call(
        nc,
        "household_aid",
        kab,
        kec,
        params={"id": keep},
        body={"aid": ["PBI_JK"], "as_of": "2025-02-01"},
    )
    march = await open_round(nc, kab, kec, balerejo, "2025-03", 5)
    assert (await hand_out(nc, kab, kec, march, gone, "2025-03-07")).status == 201
    await hold_charity_friday(nc, kab, kec, garon, date(2025, 3, 28))

    forgotten = await call(nc, "household_forget", kab, kec, params={"id": gone})
    assert forgotten.data == {"household_id": gone, "forgotten": True}
    last = await service.store.last_seq(kab)

    read = await call(nc, "household_get", kab, kec, params={"id": gone}, wait_for=last)
    assert read.data == {
        "household_id": gone,
        "name_masked": None,
        "nik_masked": None,
        "desa": None,
        "desil": None,
        "aid": [],
        "eligible": False,
        "forgotten": True,
    }
    listed = {
        h["household_id"]: h for h in (await call(nc, "households", kab, kec)).data["households"]
    }
    assert listed[gone]["forgotten"]
    assert listed[gone]["name_masked"] is None
    assert listed[keep]["nik_masked"] == "3520********5678"
    april = await open_round(nc, kab, kec, balerejo, "2025-04", 5)
    suggested = (
        await call(nc, "round_suggestions", kab, kec, params={"id": april}, wait_for=last)
    ).data["suggestions"]
    assert [s["household_id"] for s in suggested] == [keep]
    refused = await hand_out(nc, kab, kec, april, gone, "2025-04-04")
    assert refused.error["code"] == "HOUSEHOLD_FORGOTTEN"
    figures = await call(nc, "summary", kab, kec, params={"year": 2025})
    assert figures.data == {
        "packages_distributed": 1,
        "packages_value_idr": 100_000,
        "households_reached": 1,
    }
    keys = service.keys
    assert keys is not None
    assert await keys.existing(gone) is None
    assert await keys.existing(keep) is not None

    verifier = ChainVerifier()
    log = [e async for page in read_pages(nc, stream_name(kab), f"smart.{kab}.>") for e in page]
    verifier.feed(log)
    verifier.finish(await service.store.last_seq(kab))
    assert verifier.problems == []
    assert any(
        e.envelope.type == "HouseholdRegistered" and e.event.household_id == gone for e in log
    )

    stored = [e.data for e in log] + await kv_bytes(nc, kab)
    async with service.pool.acquire() as conn:
        rows = await table_rows(conn, service.schema, kab)
    assert rows["households"]
    assert rows["packages"]
    assert rows["rounds_due"]
    texts = {"log": b"\n".join(stored).decode(), "read models": str(rows), "logs": caplog.text}
    for where, text in texts.items():
        for clear in CLEAR:
            assert clear not in text, f"{clear!r} found in {where}"
    assert "Sulastri" not in str(rows)
    assert "S******* W***********" not in str(rows)


async def attach_and_adjust(nc: NATS, kab: str, kec: str, package_id: str) -> None:
    """A photo of a hand-out and a stock adjustment: every ledger read model gets rows."""
    photo = {"file": base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(100)).decode()}
    reply = await call(
        nc, "package_evidence_attach", kab, kec, params={"id": package_id}, body=photo
    )
    assert reply.status == 201, reply.error
    lost = {"packages": -1, "reason": "rusak", "adjusted_on": "2025-03-06"}
    assert (await call(nc, "stock_adjust", kab, kec, body=lost)).status == 201


async def test_read_models_rebuilt_from_the_log_equal_the_live_ones(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, garon, _ = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 3, price=100_000)
    await procure(nc, kab, kec, 3, price=125_000)
    ids = [
        await register(nc, kab, kec, household(d, n))
        for n, d in enumerate([balerejo, balerejo, balerejo, garon])
    ]
    await call(
        nc,
        "household_aid",
        kab,
        kec,
        params={"id": ids[2]},
        body={"aid": ["PKH"], "as_of": "2025-03-15"},
    )
    r1 = await open_round(nc, kab, kec, balerejo, "2025-03", 5)
    r2 = await open_round(nc, kab, kec, garon, "2025-04", 5)
    for round_id, hid, day in [
        (r1, ids[0], "2025-03-03"),
        (r1, ids[1], "2025-03-04"),
        (r1, ids[2], "2025-03-05"),
        (r2, ids[3], "2025-04-04"),
    ]:
        handed = await hand_out(nc, kab, kec, round_id, hid, day)
        assert handed.status == 201
    await attach_and_adjust(nc, kab, kec, handed.data["package_id"])
    await call(nc, "round_close", kab, kec, params={"id": r1})
    await call(nc, "household_forget", kab, kec, params={"id": ids[1]})
    await hold_charity_friday(nc, kab, kec, garon, date(2025, 5, 23))
    await service.wait_for(kab, await service.store.last_seq(kab))

    shadow = await rebuild(service.readside, switch=False)
    try:
        async with service.pool.acquire() as conn:
            live = await table_rows(conn, service.schema, kab)
            rebuilt = await table_rows(conn, shadow, kab)
    finally:
        await service.pool.execute(f"drop schema if exists {shadow} cascade")
    declared = {t for p in service.readside.projections for t in p.tables}
    assert set(live) == declared
    assert all(live[t] for t in declared - {"kecamatan"})
    assert live["kecamatan"]
    assert rebuilt == live
