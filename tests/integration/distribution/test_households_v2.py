"""Households v2 on real NATS + PostgreSQL: PATCH (a move keeps the packages where they were
handed out), members under the kabupaten-wide duplicate rule, aid lists, rebuilds."""

from __future__ import annotations

import pytest
from nats.aio.client import Client as NATS

from shared.db import table_digest
from shared.edge.rpc import RpcReply
from shared.readside.rebuild import rebuild
from shared.runtime import Runtime
from tests.integration.distribution.conftest import (
    call,
    configure,
    hand_out,
    household,
    open_round,
    procure,
    register,
)

pytestmark = pytest.mark.integration

MEMBER = {"nik": "3520054101977777", "name": "Parmi Lestari"}


async def patch(nc: NATS, kab: str, kec: str, hid: str, body: dict[str, object]) -> RpcReply:
    return await call(nc, "household_change", kab, kec, params={"id": hid}, body=body)


async def test_a_moved_household_is_suggested_and_covered_in_its_new_desa_only(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, garon, _ = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 5)
    hid = await register(nc, kab, kec, household(balerejo, 1))
    january = await open_round(nc, kab, kec, balerejo, "2025-01", 3)
    assert (await hand_out(nc, kab, kec, january, hid, "2025-01-10")).status == 201

    moved = await patch(nc, kab, kec, hid, {"desa": garon, "desil": 1, "registry": "DTSEN"})
    assert moved.status == 200, moved.error
    assert (moved.data["desa"], moved.data["desil"]) == (garon, 1)
    at = moved.position

    old_round = await open_round(nc, kab, kec, balerejo, "2025-02", 3)
    new_round = await open_round(nc, kab, kec, garon, "2025-02", 3)
    old = await call(nc, "round_suggestions", kab, kec, params={"id": old_round}, wait_for=at)
    new = await call(nc, "round_suggestions", kab, kec, params={"id": new_round}, wait_for=at)
    assert [s["household_id"] for s in old.data["suggestions"]] == []
    assert [s["household_id"] for s in new.data["suggestions"]] == [hid]
    wrong = await hand_out(nc, kab, kec, old_round, hid, "2025-02-07")
    assert wrong.error is not None
    assert wrong.error["code"] == "WRONG_DESA"
    assert (await hand_out(nc, kab, kec, new_round, hid, "2025-02-07")).status == 201

    last = await service.store.last_seq(kab)
    figures = await call(nc, "distribution", kab, kec, params={"year": 2025}, wait_for=last)
    rows = {(r["desa"], r["month"]): r["packages"] for r in figures.data["rows"]}
    assert rows == {(balerejo, "2025-01"): 1, (garon, "2025-02"): 1}
    coverage = {c["desa"]: (c["eligible"], c["reached"]) for c in figures.data["coverage"]}
    assert (coverage[balerejo], coverage[garon]) == ((0, 1), (1, 1))

    await service.wait_for(kab, last)
    shadow = await rebuild(service.readside, switch=False)
    try:
        async with service.pool.acquire() as conn:
            for table in ("households", "aid_changes"):
                live = await table_digest(conn, service.schema, table, kab)
                assert await table_digest(conn, shadow, table, kab) == live, table
    finally:
        await service.pool.execute(f"drop schema if exists {shadow} cascade")


async def test_patch_refusals_answer_by_field_and_code_and_store_nothing(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, *_ = await configure(nc, kab, kec)
    hid = await register(nc, kab, kec, household(balerejo, 1, members=[MEMBER]))
    before = await service.store.last_seq(kab)
    cases: list[tuple[dict[str, object], int, str]] = [
        ({"desa": f"{kab[:2]}.{kab[2:]}.99.2001"}, 422, "desa"),
        ({"desil": 11}, 422, "desil"),
        ({"members": [{"nik": "12", "name": "X"}]}, 422, "members.0.nik"),
        ({"snapshot_date": "2999-01-01"}, 422, "snapshot_date"),
        ({"registry": "DTKS"}, 409, "REGISTRY_DOWNGRADE"),
        ({"nik": "3520054101900009"}, 422, "nik"),
    ]
    for body, status, what in cases:
        reply = await patch(nc, kab, kec, hid, body)
        error = reply.error or {}
        assert reply.status == status, body
        assert what in (error.get("field"), error.get("code")), error
    assert await service.store.last_seq(kab) == before
    unknown = await patch(nc, kab, kec, "0190c0de-0000-7000-8000-000000000000", {"desil": 1})
    assert unknown.status == 404
    members = await call(nc, "household_members", kab, kec, params={"id": hid}, wait_for=before)
    assert len(members.data["members"]) == 1
    forgot = await call(nc, "household_forget", kab, kec, params={"id": hid})
    members = await call(
        nc, "household_members", kab, kec, params={"id": hid}, wait_for=forgot.position
    )
    assert members.data["members"] == []
    gone = await patch(nc, kab, kec, hid, {"desil": 1})
    assert gone.error is not None
    assert gone.error["code"] == "HOUSEHOLD_FORGOTTEN"


async def test_members_are_unique_across_the_kabupaten_and_aid_lists_match_them(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, *_ = await configure(nc, kab, kec)
    other_kec = f"{kab}09"
    other_desa, *_ = await configure(nc, kab, other_kec)
    first = await register(nc, kab, kec, household(balerejo, 1, members=[MEMBER]))
    elsewhere = await call(
        nc, "household_register", kab, other_kec, body=household(other_desa, 2, nik=MEMBER["nik"])
    )
    assert elsewhere.error is not None
    assert (elsewhere.error["code"], elsewhere.error["household_id"]) == (
        "DUPLICATE_HOUSEHOLD",
        first,
    )
    at = await service.store.last_seq(kab)
    shown = await call(nc, "household_members", kab, kec, params={"id": first}, wait_for=at)
    assert shown.data["members"] == [
        {"name_masked": "P**** L******", "nik_masked": "3520********7777"}
    ]
    second = await register(nc, kab, kec, household(balerejo, 3))
    added = await patch(nc, kab, kec, second, {"members": [MEMBER]})
    assert added.error is not None
    assert added.error["household_id"] == first

    body = {"program": "BPNT", "as_of": "2025-02-01", "source": "SK Bupati 9/2025"}
    text = f"nik\n{MEMBER['nik']}\n3520054101900003\n3520054101966666\nabc\n"
    reply = await call(nc, "household_aid_import", kab, kec, body=body | {"csv": text})
    assert reply.status == 201, reply.error
    assert (reply.data["matched"], reply.data["unmatched"]) == (2, 1)
    assert [(r["line"], r["field"]) for r in reply.data["rejected"]] == [(5, "nik")]
    for hid in (first, second):
        got = await call(nc, "household_get", kab, kec, params={"id": hid}, wait_for=reply.position)
        assert (got.data["aid"], got.data["eligible"]) == (["BPNT"], False)
