"""HTTP contract: the fund (donations, receipts, voids, procurements and the balance)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import System
from tests.e2e.test_api_support import (
    UNITS,
    Api,
    assert_error,
    assert_write,
    log_count,
    today,
)

pytestmark = pytest.mark.e2e


async def fund(api: Api, position: int) -> dict[str, Any]:
    resp = await api.get("/fund", params={"wait_for": position})
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


async def test_receipts_count_from_one_per_year_without_gaps(api: Api) -> None:
    first = await api.donate(250_000, donor="hamba Allah")
    second = await api.donate(150_000, unit=UNITS[1], donor="Bapak Camat")
    third = await api.donate(50_000)
    assert [first["receipt_no"], second["receipt_no"], third["receipt_no"]] == [1, 2, 3]
    assert first["position"] < second["position"] < third["position"]
    assert len({first["donation_id"], second["donation_id"], third["donation_id"]}) == 3
    last_year = date(today().year - 1, 12, 31).isoformat()
    older = await api.donate(75_000, received_on=last_year)
    assert older["receipt_no"] == 1
    assert (await api.donate(10_000))["receipt_no"] == 4


async def test_the_fund_answers_its_totals(api: Api) -> None:
    assert await fund(api, 1) == {
        "donated_idr": 0,
        "voided_idr": 0,
        "spent_idr": 0,
        "balance_idr": 0,
        "packages_procured": 0,
    }
    await api.donate(1_000_000)
    voided = await api.donate(200_000)
    void = await api.post(f"/donations/{voided['donation_id']}/void", {"reason": "Salah catat"})
    assert assert_write(void, "donation_id")["donation_id"] == voided["donation_id"]
    bought = await api.procure(packages=6, price=100_000)
    assert await fund(api, bought["position"]) == {
        "donated_idr": 1_200_000,
        "voided_idr": 200_000,
        "spent_idr": 600_000,
        "balance_idr": 400_000,
        "packages_procured": 6,
    }


async def test_voiding_twice_is_refused(api: Api, system: System) -> None:
    donation = await api.donate(300_000)
    path = f"/donations/{donation['donation_id']}/void"
    assert_write(await api.post(path, {"reason": "Dobel"}))
    count = await log_count(system, api.kab, api.kec)
    assert_error(await api.post(path, {"reason": "Dobel lagi"}), 409, "ALREADY_VOIDED")
    assert await log_count(system, api.kab, api.kec) == count


async def test_a_procurement_beyond_the_balance_is_refused(api: Api, system: System) -> None:
    await api.donate(250_000)
    count = await log_count(system, api.kab, api.kec)
    body = {
        "packages": 3,
        "unit_price_idr": 100_000,
        "purchased_on": today().isoformat(),
        "supplier": "Toko Sembako Makmur",
    }
    assert_error(await api.post("/procurements", body), 409, "INSUFFICIENT_FUNDS")
    assert await log_count(system, api.kab, api.kec) == count
    bought = await api.procure(packages=2, price=125_000)
    assert (await fund(api, bought["position"]))["balance_idr"] == 0


async def test_a_void_that_would_break_the_balance_is_refused(api: Api, system: System) -> None:
    donation = await api.donate(500_000)
    await api.procure(packages=4, price=100_000)
    count = await log_count(system, api.kab, api.kec)
    resp = await api.post(f"/donations/{donation['donation_id']}/void", {"reason": "Batal"})
    assert_error(resp, 409, "INSUFFICIENT_FUNDS")
    assert await log_count(system, api.kab, api.kec) == count


async def test_an_unknown_donation_is_not_found(api: Api) -> None:
    resp = await api.post("/donations/0190a3f4-0000-7000-8000-000000000001/void", {"reason": "x"})
    assert_error(resp, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("overrides", "field_name"),
    [
        ({"amount_idr": 0}, "amount_idr"),
        ({"amount_idr": -5_000}, "amount_idr"),
        ({"amount_idr": 10_000.5}, "amount_idr"),
        ({"amount_idr": "10000"}, "amount_idr"),
        ({"amount_idr": 100_000_001}, "amount_idr"),
        ({"received_on": "tomorrow"}, "received_on"),
        ({"received_on": "2024-02-30"}, "received_on"),
        ({"unit": "Unit Tak Dikenal"}, "unit"),
    ],
)
async def test_a_bad_donation_is_refused_naming_the_field(
    api: Api, system: System, overrides: dict[str, Any], field_name: str
) -> None:
    if overrides.get("received_on") == "tomorrow":
        overrides = {"received_on": (today() + timedelta(days=1)).isoformat()}
    body = {"unit": UNITS[0], "amount_idr": 100_000, "received_on": today().isoformat()}
    count = await log_count(system, api.kab, api.kec)
    resp = await api.post("/donations", {**body, **overrides})
    assert_error(resp, 422, "INVALID", field_name)
    assert await log_count(system, api.kab, api.kec) == count


async def test_the_ceiling_itself_is_accepted(api: Api) -> None:
    assert (await api.donate(100_000_000))["receipt_no"] == 1


@pytest.mark.parametrize(
    ("overrides", "field_name"),
    [
        ({"packages": 0}, "packages"),
        ({"unit_price_idr": 0}, "unit_price_idr"),
        ({"purchased_on": "future"}, "purchased_on"),
        ({"supplier": ""}, "supplier"),
    ],
)
async def test_a_bad_procurement_is_refused_naming_the_field(
    api: Api, system: System, overrides: dict[str, Any], field_name: str
) -> None:
    await api.donate(1_000_000)
    if overrides.get("purchased_on") == "future":
        overrides = {"purchased_on": (today() + timedelta(days=2)).isoformat()}
    body = {
        "packages": 1,
        "unit_price_idr": 100_000,
        "purchased_on": today().isoformat(),
        "supplier": "Toko Sembako Makmur",
    }
    count = await log_count(system, api.kab, api.kec)
    assert_error(await api.post("/procurements", {**body, **overrides}), 422, "INVALID", field_name)
    assert await log_count(system, api.kab, api.kec) == count
