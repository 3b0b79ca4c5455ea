"""Rounds over request-reply: suggestions, hand-outs under concurrency, stock, refusals."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date

import pytest
from nats.aio.client import Client as NATS

from shared.events.distribution import ledger_ref
from shared.runtime import Runtime
from shared.tenancy import Tenant
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


async def test_suggestions_never_received_first_then_lower_desil_then_longest_wait(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, garon, _ = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 20)
    ids = {}
    for n, (name, desil) in enumerate(
        [("A", 3), ("B", 1), ("C", 2), ("D", 4), ("H", 5), ("I", 2), ("J", 1)], start=1
    ):
        ids[name] = await register(nc, kab, kec, household(balerejo, n, desil=desil))
    await register(nc, kab, kec, household(balerejo, 20, desil=1, aid=["PKH"]))
    await register(nc, kab, kec, household(garon, 21, desil=1))
    forgotten = await register(nc, kab, kec, household(balerejo, 22, desil=1))
    await call(nc, "household_forget", kab, kec, params={"id": forgotten})
    january = await open_round(nc, kab, kec, balerejo, "2025-01", 10)
    february = await open_round(nc, kab, kec, balerejo, "2025-02", 10)
    march = await open_round(nc, kab, kec, balerejo, "2025-03", 1)
    for round_id, name, day in [
        (january, "C", "2025-01-20"),
        (january, "D", "2025-01-10"),
        (february, "A", "2025-02-05"),
        (february, "I", "2025-02-10"),
        (march, "J", "2025-03-03"),
    ]:
        assert (await hand_out(nc, kab, kec, round_id, ids[name], day)).status == 201
    last = await service.store.last_seq(kab)
    reply = await call(nc, "round_suggestions", kab, kec, params={"id": march}, wait_for=last)
    got = [(s["household_id"], s["desil"], s["last_received"]) for s in reply.data["suggestions"]]
    assert got == [
        (ids["B"], 1, None),
        (ids["H"], 5, None),
        (ids["C"], 2, "2025-01-20"),
        (ids["I"], 2, "2025-02-10"),
        (ids["A"], 3, "2025-02-05"),
        (ids["D"], 4, "2025-01-10"),
    ]
    first = reply.data["suggestions"][0]
    assert set(first) == {"household_id", "name_masked", "nik_masked", "desil", "last_received"}
    assert (first["name_masked"], first["nik_masked"]) == ("W**** N*****", "3520********0002")


async def test_twenty_concurrent_hand_outs_to_one_household_give_exactly_one_package(
    service: Runtime, replica: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, *_ = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 50)
    hid = await register(nc, kab, kec, household(balerejo, 1))
    round_id = await open_round(nc, kab, kec, balerejo, "2025-03", 50)
    replies = await asyncio.gather(
        *(hand_out(nc, kab, kec, round_id, hid, f"2025-03-{d:02d}") for d in range(1, 21))
    )
    assert [r.status for r in replies].count(201) == 1
    codes = Counter(r.error["code"] for r in replies if r.error)
    assert set(codes) <= {"ALREADY_RECEIVED", "CONFLICT"}
    assert sum(codes.values()) == 19
    events = await service.store.load(ledger_ref(Tenant(kab, kec)))
    assert [e.envelope.type for e in events].count("PackageDistributed") == 1
    last = await service.store.last_seq(kab)
    stock = await call(nc, "stock", kab, kec, wait_for=last)
    assert stock.data == {"procured": 50, "distributed": 1, "adjusted": 0, "in_stock": 49}


async def test_stock_never_goes_below_zero_and_lots_go_first_in_first_out(
    service: Runtime, replica: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, *_ = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 2, price=100_000)
    await procure(nc, kab, kec, 1, price=150_000)
    ids = [await register(nc, kab, kec, household(balerejo, n)) for n in range(8)]
    round_id = await open_round(nc, kab, kec, balerejo, "2025-03", 10)
    replies = await asyncio.gather(
        *(hand_out(nc, kab, kec, round_id, hid, "2025-03-07") for hid in ids)
    )
    won = sorted(r.data["value_idr"] for r in replies if r.status == 201)
    assert won == [100_000, 100_000, 150_000]
    assert {r.error["code"] for r in replies if r.status != 201} <= {"NO_STOCK", "CONFLICT"}
    assert any(r.error and r.error["code"] == "NO_STOCK" for r in replies)
    last = await service.store.last_seq(kab)
    stock = await call(nc, "stock", kab, kec, wait_for=last)
    assert stock.data == {"procured": 3, "distributed": 3, "adjusted": 0, "in_stock": 0}
    more = await procure(nc, kab, kec, 1, price=90_000)
    late = next(h for h, r in zip(ids, replies, strict=True) if r.status != 201)
    reply = await hand_out(nc, kab, kec, round_id, late, "2025-03-08")
    assert (reply.status, reply.data["value_idr"]) == (201, 90_000)
    assert reply.position > more


async def test_every_round_refusal_over_rpc_appends_nothing(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, garon, _ = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 10)
    ok = await register(nc, kab, kec, household(balerejo, 1))
    other = await register(nc, kab, kec, household(balerejo, 2))
    in_garon = await register(nc, kab, kec, household(garon, 3))
    pkh = await register(nc, kab, kec, household(balerejo, 4, aid=["BPNT"]))
    gone = await register(nc, kab, kec, household(balerejo, 5))
    await call(nc, "household_forget", kab, kec, params={"id": gone})
    round_id = await open_round(nc, kab, kec, balerejo, "2025-03", 1)
    assert (await hand_out(nc, kab, kec, round_id, ok, "2025-03-07")).status == 201
    before = await service.store.last_seq(kab)
    unknown = "0190c0de-0000-7000-8000-000000000000"
    cases = [
        (
            409,
            "ROUND_EXISTS",
            "round_open",
            {"body": {"desa": balerejo, "month": "2025-03", "quota": 3}},
        ),
        (
            422,
            "INVALID",
            "round_open",
            {"body": {"desa": balerejo, "month": "2025-04", "quota": 0}},
        ),
        (
            422,
            "INVALID",
            "round_open",
            {"body": {"desa": "35.20.99.2001", "month": "2025-04", "quota": 1}},
        ),
        (404, "NOT_FOUND", "round_suggestions", {"params": {"id": unknown}}),
        (404, "NOT_FOUND", "round_close", {"params": {"id": unknown}}),
    ]
    hand_outs = [
        (409, "ALREADY_RECEIVED", ok, "2025-03-08"),
        (409, "QUOTA_REACHED", other, "2025-03-08"),
        (409, "WRONG_DESA", in_garon, "2025-03-08"),
        (409, "NOT_ELIGIBLE", pkh, "2025-03-08"),
        (409, "HOUSEHOLD_FORGOTTEN", gone, "2025-03-08"),
        (404, "NOT_FOUND", unknown, "2025-03-08"),
        (422, "INVALID", other, "2025-04-01"),
    ]
    for status, code, name, kw in cases:
        reply = await call(nc, name, kab, kec, **kw)
        assert (reply.status, reply.error["code"]) == (status, code), (name, reply.error)
    for status, code, hid, day in hand_outs:
        reply = await hand_out(nc, kab, kec, round_id, hid, day)
        assert (reply.status, reply.error["code"]) == (status, code), (code, reply.error)
        assert reply.error["message"] != reply.error["message_en"]
    bad_date = await hand_out(nc, kab, kec, round_id, other, "2025-04-01")
    assert bad_date.error["field"] == "distributed_on"
    assert await service.store.last_seq(kab) == before
    closed = await call(nc, "round_close", kab, kec, params={"id": round_id})
    assert (closed.status, closed.data) == (200, {"round_id": round_id})
    again = await call(nc, "round_close", kab, kec, params={"id": round_id})
    assert again.error["code"] == "ROUND_CLOSED"
    after = await hand_out(nc, kab, kec, round_id, other, "2025-03-09")
    assert after.error["code"] == "ROUND_CLOSED"


async def test_a_held_charity_friday_shows_its_round_due_until_it_is_opened(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, garon, _ = await configure(nc, kab, kec)
    await open_round(nc, kab, kec, balerejo, "2025-03", 5)
    await hold_charity_friday(nc, kab, kec, balerejo, date(2025, 3, 28))
    held = await hold_charity_friday(nc, kab, kec, garon, date(2025, 3, 28))
    due = await call(nc, "rounds_due", kab, kec, wait_for=held)
    assert [(d["desa"], d["month"]) for d in due.data["rounds_due"]] == [(garon, "2025-03")]
    opened = await call(
        nc, "round_open", kab, kec, body={"desa": garon, "month": "2025-03", "quota": 5}
    )
    due = await call(nc, "rounds_due", kab, kec, wait_for=opened.position)
    assert due.data == {"rounds_due": []}
