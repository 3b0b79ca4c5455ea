"""The fund over request-reply: writes, refusals, idempotency and the kecamatan check."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.clock import jakarta_today
from shared.events.donations import fund_ref
from shared.tenancy import Tenant
from tests.integration.donations.conftest import call, configure, gift, lot, void

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("service")]

RPCS = [
    "donation_receive",
    "donation_void",
    "procure",
    "fund",
    "summary",
    "recap",
    "units",
    "transparency",
    "expense_record",
    "period_close",
    "cashbook",
    "cashbook_detail",
    "periods",
]


async def test_every_rpc_of_a_kecamatan_never_configured_is_not_found(nc, kab, kec) -> None:
    for name in RPCS:
        reply = await call(nc, name, kab, kec, body=gift(10_000), params={"id": "x"})
        assert reply.status == 404, name
        assert reply.error is not None
        assert reply.error["code"] == "NOT_FOUND"
        assert reply.error["message"] != reply.error["message_en"]


async def test_donations_voids_and_procurements_reach_the_fund(nc, kab, kec) -> None:
    await configure(nc, kab, kec)
    first = await call(nc, "donation_receive", kab, kec, body=gift(250_000))
    second = await call(
        nc,
        "donation_receive",
        kab,
        kec,
        body=gift(150_000, unit="Kantor Kecamatan", donor="Hamba Allah"),
    )
    assert (first.status, second.status) == (201, 201)
    assert [first.data["receipt_no"], second.data["receipt_no"]] == [1, 2]
    assert second.position > first.position
    bought = await call(nc, "procure", kab, kec, body=lot(2))
    assert bought.status == 201
    assert bought.data["procurement_id"]
    voided = await void(nc, kab, kec, second.data["donation_id"], "dobel input")
    assert (voided.status, voided.data) == (200, {"donation_id": second.data["donation_id"]})
    fund = await call(nc, "fund", kab, kec, wait_for=voided.position)
    assert fund.data == {
        "donated_idr": 400_000,
        "voided_idr": 150_000,
        "spent_idr": 200_000,
        "balance_idr": 50_000,
        "packages_procured": 2,
    }


async def test_money_refusals_answer_409_or_404_and_append_nothing(nc, kab, kec, service) -> None:
    await configure(nc, kab, kec)
    given = await call(nc, "donation_receive", kab, kec, body=gift(100_000))
    await call(nc, "procure", kab, kec, body=lot(1))
    head = await service.store.last_seq(kab)
    refused = await void(nc, kab, kec, given.data["donation_id"])
    assert (refused.status, refused.error["code"]) == (409, "INSUFFICIENT_FUNDS")
    assert (refused.error["balance_idr"], refused.error["required_idr"]) == (0, 100_000)
    beyond = await call(nc, "procure", kab, kec, body=lot(1))
    assert (beyond.status, beyond.error["code"]) == (409, "INSUFFICIENT_FUNDS")
    unknown = await void(nc, kab, kec, "no-such-donation")
    assert (unknown.status, unknown.error["code"]) == (404, "NOT_FOUND")
    assert await service.store.last_seq(kab) == head


async def test_voiding_twice_is_refused_and_appends_nothing(nc, kab, kec, service) -> None:
    await configure(nc, kab, kec)
    given = await call(nc, "donation_receive", kab, kec, body=gift(100_000))
    once = await void(nc, kab, kec, given.data["donation_id"])
    twice = await void(nc, kab, kec, given.data["donation_id"])
    assert once.status == 200
    assert (twice.status, twice.error["code"]) == (409, "ALREADY_VOIDED")
    assert await service.store.last_seq(kab) == once.position


async def test_a_retried_command_appends_once_and_answers_the_same(nc, kab, kec, service) -> None:
    await configure(nc, kab, kec)
    one = await call(nc, "donation_receive", kab, kec, body=gift(75_000), command_id="retry-1")
    two = await call(nc, "donation_receive", kab, kec, body=gift(75_000), command_id="retry-1")
    assert (two.status, two.data, two.position) == (one.status, one.data, one.position)
    events = await service.store.load(fund_ref(Tenant(kab, kec)))
    assert len(events) == 1
    fund = await call(nc, "fund", kab, kec, wait_for=two.position)
    assert fund.data["donated_idr"] == 75_000


def _bad_inputs() -> list[tuple[str, dict[str, Any] | None, str]]:
    tomorrow = (jakarta_today() + timedelta(days=1)).isoformat()
    return [
        ("donation_receive", gift(1.5), "amount_idr"),  # type: ignore[arg-type]
        ("donation_receive", gift("1000"), "amount_idr"),  # type: ignore[arg-type]
        ("donation_receive", gift(0), "amount_idr"),
        ("donation_receive", gift(100_000_001), "amount_idr"),
        ("donation_receive", gift(10_000, on=tomorrow), "received_on"),
        ("donation_receive", gift(10_000, unit="Desa Ngunut"), "unit"),
        ("donation_receive", None, "body"),
        ("procure", lot(0), "packages"),
        ("procure", {**lot(1), "supplier": " "}, "supplier"),
        ("procure", lot(1, on=tomorrow), "purchased_on"),
        ("procure", lot(1, price=0), "unit_price_idr"),
        ("donation_void", {"reason": ""}, "reason"),
    ]


async def test_bad_input_is_refused_naming_the_field_and_appends_nothing(
    nc, kab, kec, service
) -> None:
    await configure(nc, kab, kec)
    given = await call(nc, "donation_receive", kab, kec, body=gift(500_000))
    head = await service.store.last_seq(kab)
    for name, body, field in _bad_inputs():
        reply = await call(nc, name, kab, kec, body=body, params={"id": given.data["donation_id"]})
        assert reply.status == 422, (name, body)
        assert reply.error is not None
        assert reply.error["field"] == field, (name, body, reply.error)
        assert reply.error["message"]
        assert reply.error["message_en"]
    assert await service.store.last_seq(kab) == head
    for name in ("summary", "recap"):
        reply = await call(nc, name, kab, kec, params={"year": "last year"})
        assert (reply.status, reply.error["field"]) == (422, "year")
