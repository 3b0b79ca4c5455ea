"""Hand-outs v2 on real NATS + PostgreSQL: BAST numbers gap-free under concurrent hand-outs
(two replicas), evidence through NATS's object store, the package as answered, stock
adjustments, and the read models rebuilt identically."""

from __future__ import annotations

import asyncio
import base64
import hashlib

import pytest
from nats.aio.client import Client as NATS

from services.distribution.files import ObjectFiles
from services.distribution.receivers import received_name
from shared.db import table_digest
from shared.edge.rpc import RpcReply
from shared.events.distribution import PackageDistributed, ledger_ref
from shared.readside.rebuild import rebuild
from shared.runtime import Runtime
from shared.tenancy import Tenant
from tests.integration.distribution.conftest import (
    call,
    configure,
    household,
    open_round,
    procure,
    register,
)

pytestmark = pytest.mark.integration

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 2048  # 512 KiB: several object chunks


async def hand_out(
    nc: NATS, kab: str, kec: str, round_id: str, hid: str, **body: object
) -> RpcReply:
    sent = {"household_id": hid, "distributed_on": "2025-03-07"} | body
    return await call(nc, "package_hand_out", kab, kec, params={"id": round_id}, body=sent)


async def test_concurrent_hand_outs_on_two_replicas_number_their_basts_without_gaps(
    service: Runtime, replica: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, *_ = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 30)
    ids = [await register(nc, kab, kec, household(balerejo, n)) for n in range(12)]
    round_id = await open_round(nc, kab, kec, balerejo, "2025-03", 30)
    replies = await asyncio.gather(*(hand_out(nc, kab, kec, round_id, h) for h in ids))
    won = [r for r in replies if r.status == 201]
    assert {r.error["code"] for r in replies if r.status != 201} <= {"CONFLICT"}
    numbers = sorted(int(r.data["bast_no"].rsplit("/", 1)[1]) for r in won)
    assert numbers == list(range(1, len(won) + 1))
    assert len(won) >= 2
    prefix = f"BAST/{kec}/2025/"
    assert all(r.data["bast_no"].startswith(prefix) for r in won)
    events = await service.store.load(ledger_ref(Tenant(kab, kec)))
    logged = [e.event.bast_no for e in events if isinstance(e.event, PackageDistributed)]
    assert sorted(logged) == sorted(r.data["bast_no"] for r in won)


async def test_evidence_round_trips_through_the_object_store_with_its_sha256(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, *_ = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 2)
    hid = await register(nc, kab, kec, household(balerejo, 1))
    round_id = await open_round(nc, kab, kec, balerejo, "2025-03", 2)
    handed = await hand_out(
        nc, kab, kec, round_id, hid, received_by={"name": "Rahmat Hidayat", "relation": "WAKIL"}
    )
    package_id = handed.data["package_id"]
    body = {"file": base64.b64encode(JPEG).decode()}
    attached = await call(
        nc, "package_evidence_attach", kab, kec, params={"id": package_id}, body=body
    )
    assert attached.status == 201, attached.error
    sha = hashlib.sha256(JPEG).hexdigest()
    assert attached.data["sha256"] == sha
    got = await call(
        nc, "package_get", kab, kec, params={"id": package_id}, wait_for=attached.position
    )
    assert got.data == {
        "package_id": package_id,
        "household_id": hid,
        "round_id": round_id,
        "distributed_on": "2025-03-07",
        "value_idr": 100_000,
        "bast_no": f"BAST/{kec}/2025/1",
        "received_by": {"name_masked": "R***** H******", "relation": "WAKIL"},
        "evidence": [{"evidence_id": attached.data["evidence_id"], "sha256": sha}],
    }
    name = await service.pool.fetchval(
        f"select object_name from {service.schema}.evidence where evidence_id = $1",
        attached.data["evidence_id"],
    )
    kept = await ObjectFiles(service.nc).get(kab, name)
    assert kept is not None
    assert hashlib.sha256(kept).hexdigest() == sha
    seq = await service.pool.fetchval(
        f"select seq from {service.schema}.packages where package_id = $1", package_id
    )
    keys = service.keys
    assert keys is not None
    tenant = Tenant(kab, kec)
    assert await received_name(service, keys, tenant, seq) == "Rahmat Hidayat"
    await call(nc, "household_forget", kab, kec, params={"id": hid})
    assert await received_name(service, keys, tenant, seq) is None
    last = await service.store.last_seq(kab)
    gone = await call(nc, "package_get", kab, kec, params={"id": package_id}, wait_for=last)
    assert gone.data["received_by"] == {"name_masked": None, "relation": "WAKIL"}


async def test_bad_evidence_and_unknown_packages_are_refused_and_nothing_is_logged(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, *_ = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 2)
    hid = await register(nc, kab, kec, household(balerejo, 1))
    round_id = await open_round(nc, kab, kec, balerejo, "2025-03", 2)
    package_id = (await hand_out(nc, kab, kec, round_id, hid)).data["package_id"]
    before = await service.store.last_seq(kab)
    gif = {"file": base64.b64encode(b"GIF89a" + bytes(64)).decode()}
    bad = await call(nc, "package_evidence_attach", kab, kec, params={"id": package_id}, body=gif)
    assert (bad.status, bad.error["field"]) == (422, "file")
    unknown = "0190c0de-0000-7000-8000-000000000000"
    for name, kw in (
        ("package_evidence_attach", {"body": gif}),
        ("package_get", {}),
    ):
        reply = await call(nc, name, kab, kec, params={"id": unknown}, **kw)
        assert (reply.status, reply.error["code"]) == (404, "NOT_FOUND")
    assert await service.store.last_seq(kab) == before


async def test_stock_adjustments_change_the_stock_hand_outs_see(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, *_ = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 2)
    ids = [await register(nc, kab, kec, household(balerejo, n)) for n in range(3)]
    round_id = await open_round(nc, kab, kec, balerejo, "2025-03", 5)
    lost = {"packages": -1, "reason": "rusak terkena banjir", "adjusted_on": "2025-03-01"}
    adjusted = await call(nc, "stock_adjust", kab, kec, body=lost)
    assert adjusted.status == 201, adjusted.error
    assert set(adjusted.data) == {"adjustment_id"}
    too_many = await call(nc, "stock_adjust", kab, kec, body=lost | {"packages": -2})
    assert too_many.error["code"] == "NO_STOCK"
    assert (await hand_out(nc, kab, kec, round_id, ids[0])).status == 201
    empty = await hand_out(nc, kab, kec, round_id, ids[1])
    assert empty.error["code"] == "NO_STOCK"
    found = await call(nc, "stock_adjust", kab, kec, body=lost | {"packages": 1})
    assert found.status == 201
    named = {"name": "Siti Aminah", "relation": "KELUARGA"}
    assert (await hand_out(nc, kab, kec, round_id, ids[1], received_by=named)).status == 201
    stock = await call(nc, "stock", kab, kec, wait_for=await service.store.last_seq(kab))
    assert stock.data == {"procured": 2, "distributed": 2, "adjusted": 0, "in_stock": 0}

    await service.wait_for(kab, await service.store.last_seq(kab))
    shadow = await rebuild(service.readside, switch=False)
    try:
        async with service.pool.acquire() as conn:
            for table in ("packages", "stock", "evidence", "rounds", "monthly"):
                live = await table_digest(conn, service.schema, table, kab)
                assert await table_digest(conn, shadow, table, kab) == live, table
    finally:
        await service.pool.execute(f"drop schema if exists {shadow} cascade")
