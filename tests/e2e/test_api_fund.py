"""HTTP contract: the fund (donations, receipts, voids, procurements and the balance)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from services.gateway.auth import Role
from tests.e2e.conftest import System
from tests.e2e.test_api_support import (
    UNITS,
    Api,
    assert_created,
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


# H3 books: the bendahara, expenses, the cash book and closed months (CONTRACT v2)


def expense_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "amount_idr": 40_000,
        "spent_on": today().isoformat(),
        "category": "TRANSPORT",
        "description": "Sewa pikap ke desa tuan rumah",
    }
    return {**body, **overrides}


def last_year(month: int, day: int = 10) -> str:
    return date(today().year - 1, month, day).isoformat()


async def test_a_bendahara_keeps_the_books_and_cannot_close_a_month(api: Api) -> None:
    async with api.as_role(Role.BENDAHARA, kab=api.kab, kec=api.kec) as bendahara:
        gift = {"unit": UNITS[0], "amount_idr": 500_000, "received_on": last_year(1)}
        donated = assert_created(await bendahara.post(api.url("/donations"), json=gift))
        spent = await bendahara.post(api.url("/expenses"), json=expense_body())
        assert assert_created(spent, "expense_id", "receipt_no")["receipt_no"] == 1
        lot = {"packages": 2, "unit_price_idr": 100_000, "purchased_on": last_year(2)}
        assert_created(
            await bendahara.post(api.url("/procurements"), json={**lot, "supplier": "T"})
        )
        wrong = assert_created(await bendahara.post(api.url("/donations"), json=gift))
        voided = await bendahara.post(
            api.url(f"/donations/{wrong['donation_id']}/void"), json={"reason": "Dobel"}
        )
        position = assert_write(voided, "donation_id")["position"]
        closing = await bendahara.post(api.url(f"/periods/{last_year(1)[:7]}/close"))
        assert_error(closing, 403, "FORBIDDEN")
        book = await bendahara.get(
            api.url("/cashbook"),
            params={"year": today().year - 1, "month": 1, "wait_for": position},
        )
        assert book.status_code == 200
        assert [e["ref"] for e in book.json()["entries"]] == [
            donated["donation_id"],
            wrong["donation_id"],
            wrong["donation_id"],
        ]
    async with api.as_role(Role.CAMAT, kab=api.kab, kec=api.kec) as camat:
        closed = await camat.post(api.url(f"/periods/{last_year(1)[:7]}/close"))
        assert assert_write(closed, "period", "closing_idr")["closing_idr"] == 500_000


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/donations", {"unit": UNITS[0], "amount_idr": 1, "received_on": "2024-01-02"}),
        ("POST", "/expenses", expense_body()),
        ("POST", "/procurements", {"packages": 1}),
        ("POST", "/periods/2024-01/close", None),
    ],
)
async def test_an_operator_or_auditor_cannot_write_the_books(
    api: Api, system: System, method: str, path: str, body: Any
) -> None:
    count = await log_count(system, api.kab, api.kec)
    operator = api.as_role(
        Role.OPERATOR, kab=api.kab, kec=api.kec, desa=api.desa[0].replace(".", "")
    )
    auditor = api.as_role(Role.AUDITOR, kab=api.kab)
    for client in (operator, auditor):
        async with client:
            resp = await client.request(method, api.url(path), json=body)
            assert_error(resp, 403, "FORBIDDEN")
            assert (await client.get(api.url("/cashbook"))).status_code == 200
    assert await log_count(system, api.kab, api.kec) == count


async def test_an_expense_spends_from_the_fund_and_shows_in_the_cash_book(api: Api) -> None:
    await api.donate(100_000)
    first = assert_created(await api.post("/expenses", expense_body()), "expense_id")
    second = assert_created(await api.post("/expenses", expense_body(category="KEMASAN")))
    assert (first["receipt_no"], second["receipt_no"]) == (1, 2)
    assert_error(await api.post("/expenses", expense_body()), 409, "INSUFFICIENT_FUNDS")
    figures = await fund(api, second["position"])
    assert (figures["spent_idr"], figures["balance_idr"]) == (80_000, 20_000)
    month = {"year": today().year, "month": today().month, "wait_for": second["position"]}
    resp = await api.get("/cashbook", params=month)
    book = resp.json()
    assert set(book) == {"opening_idr", "entries", "closing_idr"}
    assert [(e["kind"], e["out_idr"], e["balance_idr"]) for e in book["entries"]] == [
        ("DONATION", 0, 100_000),
        ("EXPENSE", 40_000, 60_000),
        ("EXPENSE", 40_000, 20_000),
    ]
    assert set(book["entries"][0]) == {"date", "kind", "ref", "in_idr", "out_idr", "balance_idr"}
    assert book["closing_idr"] == 20_000


async def test_closing_months_in_order_freezes_them(api: Api, system: System) -> None:
    await api.donate(300_000, received_on=last_year(1))
    february = await api.donate(50_000, received_on=last_year(2))
    month1, month2 = last_year(1)[:7], last_year(2)[:7]
    assert_error(await api.post(f"/periods/{month2}/close"), 409, "EARLIER_PERIOD_OPEN")
    first = assert_write(await api.post(f"/periods/{month1}/close"), "period", "closing_idr")
    assert (first["period"], first["closing_idr"]) == (month1, 300_000)
    again = await api.post(f"/periods/{month1}/close", headers={"Idempotency-Key": "other-key-1"})
    assert assert_write(again) == first
    count = await log_count(system, api.kab, api.kec)
    late = {"unit": UNITS[0], "amount_idr": 5_000, "received_on": last_year(1, 28)}
    assert_error(await api.post("/donations", late), 409, "PERIOD_CLOSED")
    body = expense_body(spent_on=last_year(1, 3))
    assert_error(await api.post("/expenses", body), 409, "PERIOD_CLOSED")
    assert await log_count(system, api.kab, api.kec) == count
    assert_write(await api.post(f"/donations/{february['donation_id']}/void", {"reason": "x"}))
    second = assert_write(await api.post(f"/periods/{month2}/close"))
    assert second["closing_idr"] == 300_000
    periods = await api.get("/periods", params={"wait_for": second["position"]})
    assert periods.json() == {"closed": [month1, month2]}


@pytest.mark.parametrize("period", ["2024-13", "24-01", "2024-1", "kemarin", "9999-01"])
async def test_a_bad_period_is_refused_naming_it(api: Api, period: str) -> None:
    assert_error(await api.post(f"/periods/{period}/close"), 422, "INVALID", "period")


@pytest.mark.parametrize(
    ("overrides", "field_name"),
    [
        ({"category": "BENSIN"}, "category"),
        ({"amount_idr": 0}, "amount_idr"),
        ({"amount_idr": "40000"}, "amount_idr"),
        ({"description": ""}, "description"),
        ({"spent_on": "future"}, "spent_on"),
    ],
)
async def test_a_bad_expense_is_refused_naming_the_field(
    api: Api, system: System, overrides: dict[str, Any], field_name: str
) -> None:
    await api.donate(1_000_000)
    if overrides.get("spent_on") == "future":
        overrides = {"spent_on": (today() + timedelta(days=2)).isoformat()}
    count = await log_count(system, api.kab, api.kec)
    assert_error(await api.post("/expenses", expense_body(**overrides)), 422, "INVALID", field_name)
    assert await log_count(system, api.kab, api.kec) == count
