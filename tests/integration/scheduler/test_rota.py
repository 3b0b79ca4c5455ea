"""A month scheduled and held over request-reply, projected into the read models, rebuilt."""

from __future__ import annotations

from typing import Any

import pytest
from nats.aio.client import Client as NATS

from shared.db import table_digest
from shared.edge.rpc import RpcReply
from shared.readside.rebuild import rebuild
from shared.runtime import Runtime
from shared.tenancy import dot
from tests.integration.scheduler.conftest import call, kecamatan_body

pytestmark = pytest.mark.integration

APRIL = {"year": 2023, "month": 4}


def first_of(activities: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(a for a in activities if a["kind"] == kind)


def hold_body(on: str, officials: int = 20, residents: int = 80, **extra: Any) -> dict[str, Any]:
    return {"held_on": on, "attendance": {"officials": officials, "residents": residents}, **extra}


async def act(nc: NATS, name: str, kab: str, kec: str, ident: str, body: Any) -> RpcReply:
    return await call(nc, name, kab, kec, params={"id": ident}, body=body)


def refusal(reply: RpcReply) -> tuple[int, str, str | None]:
    assert reply.error is not None
    assert reply.error["message"]
    assert reply.error["message_en"]
    return reply.status, reply.error["code"], reply.error.get("field")


async def record_april(nc: NATS, kab: str, kec: str) -> dict[str, dict[str, Any]]:
    """April 2023 scheduled, then SENAM and the first visit held, the walk moved to
    Wednesday, the clean-up cancelled. Answers those four activities as first scheduled."""
    await call(nc, "kecamatan_put", kab, kec, body=kecamatan_body(kec))
    april = (await call(nc, "schedule", kab, kec, body=APRIL)).data["activities"]
    kinds = {"senam": "SENAM", "walk": "JALAN_JALAN", "cleanup": "BERSIH_BERSIH"}
    found = {name: first_of(april, kind) for name, kind in kinds.items()}
    found["visit"] = first_of(april, "SERASA_DESA")
    body = hold_body("2023-04-06", 25, 110, notes="Senam dan konsolidasi")
    held = await act(nc, "activity_held", kab, kec, found["senam"]["id"], body)
    assert held.data == {**found["senam"], "status": "held", "note": "Senam dan konsolidasi"}
    await act(nc, "activity_held", kab, kec, found["visit"]["id"], hold_body("2023-04-04", 6, 40))
    body = {"date": "2023-04-12", "reason": "Rapat bupati"}
    moved = await act(nc, "activity_reschedule", kab, kec, found["walk"]["id"], body)
    assert (moved.status, moved.data["date"], moved.data["note"]) == (
        200, "2023-04-12", "Rapat bupati",
    )  # fmt: skip
    body = {"reason": "Hujan deras"}
    cancelled = await act(nc, "activity_cancel", kab, kec, found["cleanup"]["id"], body)
    assert cancelled.data["status"] == "cancelled"
    return found


async def test_scheduling_a_month_answers_its_rota_and_twice_appends_nothing(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    await call(nc, "kecamatan_put", kab, kec, body=kecamatan_body(kec))
    first = await call(nc, "schedule", kab, kec, body=APRIL)
    assert first.status == 201
    april = first.data["activities"]
    assert [a["date"] for a in april] == sorted(a["date"] for a in april)
    senam = first_of(april, "SENAM")
    assert (senam["date"], senam["host_desa"], senam["status"]) == (
        "2023-04-06", f"{dot(kec)}.2001", "scheduled",
    )  # fmt: skip
    assert "Good Friday" in senam["note"]
    assert [a["kind"] for a in april].count("SERASA_DESA") == 4
    cuti = next(a for a in april if a["kind"] == "SERASA_DESA" and a["date"] == "2023-04-25")
    assert (cuti["status"], cuti["host_desa"]) == ("skipped", None), "cuti bersama Idul Fitri"
    hosts = [a["host_desa"] for a in april if a["kind"] != "SERASA_DESA"]
    assert hosts == [f"{dot(kec)}.{2001 + i}" for i in range(4)], "one Friday rotation"
    before = await service.store.last_seq(kab)
    again = await call(nc, "schedule", kab, kec, body=APRIL)
    assert (again.status, again.data, again.position) == (200, first.data, first.position)
    assert await service.store.last_seq(kab) == before


async def test_refusals_answer_their_code_or_field_and_append_nothing(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    april = await record_april(nc, kab, kec)
    senam, walk, cleanup = april["senam"]["id"], april["walk"]["id"], april["cleanup"]["id"]
    last = await service.store.last_seq(kab)
    attempts = [
        ("activity_held", senam, hold_body("2023-04-06")),
        ("activity_cancel", senam, {"reason": "x"}),
        ("activity_held", cleanup, hold_body("2023-04-21")),
        ("activity_reschedule", cleanup, {"date": "2023-04-20"}),
        ("activity_held", walk, hold_body("2023-04-12", officials=-1)),
        ("activity_held", walk, hold_body("2023-04-20")),
        ("activity_reschedule", walk, {"date": "2023-04-07"}),
        ("activity_held", "00000000-0000-0000-0000-000000000000", hold_body("2023-04-12")),
    ]
    answers = [refusal(await act(nc, name, kab, kec, i, b)) for name, i, b in attempts]
    assert answers == [
        (409, "ALREADY_HELD", None),
        (409, "ALREADY_HELD", None),
        (409, "ACTIVITY_CANCELLED", None),
        (409, "ACTIVITY_CANCELLED", None),
        (422, "INVALID", "attendance.officials"),
        (422, "INVALID", "held_on"),
        (422, "INVALID", "date"),
        (404, "NOT_FOUND", None),
    ]
    assert await service.store.last_seq(kab) == last


async def test_a_held_month_is_projected_into_calendar_rates_attendance_and_rotation(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    april = await record_april(nc, kab, kec)
    last = await service.store.last_seq(kab)
    listed = await call(nc, "activities", kab, kec, params=APRIL, wait_for=last)
    rows = listed.data["activities"]
    assert [a["date"] for a in rows] == sorted(a["date"] for a in rows)
    status = {a["id"]: (a["status"], a["date"]) for a in rows}
    assert status[april["senam"]["id"]] == ("held", "2023-04-06")
    assert status[april["walk"]["id"]] == ("scheduled", "2023-04-12")
    assert status[april["cleanup"]["id"]] == ("cancelled", april["cleanup"]["date"])

    summary = await call(nc, "summary", kab, kec, params={"year": 2023})
    friday = {"SENAM": 1, "JALAN_JALAN": 1, "BERSIH_BERSIH": 1, "SHOLAWATAN_BERBAGI": 1}
    assert summary.data == {
        "activities": {
            "scheduled": {**friday, "SERASA_DESA": 3},
            "held": {**dict.fromkeys(friday, 0), "SENAM": 1, "SERASA_DESA": 1},
        }
    }
    rate = (await call(nc, "execution_rate", kab, kec, params={"year": 2023})).data
    assert rate["totals"]["SERASA_DESA"] == {"scheduled": 3, "held": 1, "rate": 0.3333}
    assert {"month": 4, "kind": "SENAM", "scheduled": 1, "held": 1, "rate": 1.0} in rate["rows"]
    seen = await call(nc, "attendance", kab, kec, params={"year": 2023})
    host = {"desa": f"{dot(kec)}.2001", "name": "Balerejo", "held": 1}
    assert seen.data["rows"] == [
        {**host, "kind": "SENAM", "officials": 25, "residents": 110},
        {**host, "kind": "SERASA_DESA", "officials": 6, "residents": 40},
    ]
    answered = (await call(nc, "rotation", kab, kec)).data["rotation"]
    assert [r["rotation"] for r in answered] == ["JUMAT", "SERASA_DESA"]
    rotation = {r["rotation"]: r for r in answered}
    assert (rotation["SERASA_DESA"]["round"], rotation["SERASA_DESA"]["next_desa"]) == (
        1, f"{dot(kec)}.2004",
    )  # fmt: skip
    assert [d["turns"] for d in rotation["SERASA_DESA"]["desa"]] == [1, 1, 1, 0]
    assert rotation["JUMAT"]["kinds"] == [
        "SENAM",
        "JALAN_JALAN",
        "BERSIH_BERSIH",
        "SHOLAWATAN_BERBAGI",
    ]
    assert (rotation["JUMAT"]["round"], rotation["JUMAT"]["next_desa"]) == (1, f"{dot(kec)}.2001")
    assert [d["turns"] for d in rotation["JUMAT"]["desa"]] == [1, 1, 1, 1]


async def test_the_read_models_rebuilt_from_the_log_equal_the_live_ones(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    await record_april(nc, kab, kec)
    await call(nc, "schedule", kab, kec, body={"year": 2023, "month": 5})
    await service.wait_for(kab, await service.store.last_seq(kab))
    shadow = await rebuild(service.readside, switch=False)
    async with service.pool.acquire() as conn:
        for projection in service.readside.projections:
            for table in projection.tables:
                live = await table_digest(conn, service.schema, table)
                assert live[0] > 0, table
                assert await table_digest(conn, shadow, table) == live, table
