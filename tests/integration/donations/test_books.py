"""The treasurer's books on real NATS + PostgreSQL: expenses, the cash book and closed months."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.donations.conftest import call, configure, cost, gift, lot, void

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("service")]


async def test_the_cash_book_lists_each_month_in_date_then_written_order(nc, kab, kec) -> None:
    await configure(nc, kab, kec)
    await call(nc, "donation_receive", kab, kec, body=gift(300_000, on="2024-01-20"))
    late = await call(nc, "donation_receive", kab, kec, body=gift(50_000, on="2024-02-09"))
    early = await call(nc, "donation_receive", kab, kec, body=gift(80_000, on="2024-02-01"))
    bought = await call(nc, "procure", kab, kec, body=lot(2, on="2024-02-09"))
    paid = await call(nc, "expense_record", kab, kec, body=cost(25_000, on="2024-02-05"))
    wrong = await call(nc, "donation_receive", kab, kec, body=gift(40_000, on="2024-01-25"))
    voided = await void(nc, kab, kec, wrong.data["donation_id"])
    assert (paid.status, paid.data["receipt_no"], wrong.data["receipt_no"]) == (201, 1, 4)
    book = await call(
        nc, "cashbook", kab, kec, params={"year": "2024", "month": "2"}, wait_for=voided.position
    )
    assert book.data == {
        "opening_idr": 300_000,
        "entries": [
            entry("2024-02-01", "DONATION", early.data["donation_id"], 80_000, 0, 380_000),
            entry("2024-02-05", "EXPENSE", paid.data["expense_id"], 0, 25_000, 355_000),
            entry("2024-02-09", "DONATION", late.data["donation_id"], 50_000, 0, 405_000),
            entry("2024-02-09", "PROCUREMENT", bought.data["procurement_id"], 0, 200_000, 205_000),
        ],
        "closing_idr": 205_000,
    }
    first = await call(nc, "cashbook", kab, kec, params={"year": "2024", "month": "1"})
    assert [(e["date"], e["kind"], e["balance_idr"]) for e in first.data["entries"]] == [
        ("2024-01-20", "DONATION", 300_000),
        ("2024-01-25", "DONATION", 340_000),
        ("2024-01-25", "VOID", 300_000),  # dated with its donation's received_on
    ]
    march = await call(nc, "cashbook", kab, kec, params={"year": "2024", "month": "3"})
    assert march.data == {"opening_idr": 205_000, "entries": [], "closing_idr": 205_000}
    fund = await call(nc, "fund", kab, kec)
    assert (fund.data["spent_idr"], fund.data["balance_idr"]) == (225_000, 205_000)
    summary = await call(nc, "summary", kab, kec, params={"year": 2024})
    assert summary.data == {"donations_idr": 430_000, "spent_idr": 225_000}


async def test_closed_months_freeze_the_books_and_are_listed(nc, kab, kec) -> None:
    await configure(nc, kab, kec)
    await call(nc, "donation_receive", kab, kec, body=gift(100_000, on="2024-01-10"))
    given = await call(nc, "donation_receive", kab, kec, body=gift(60_000, on="2024-02-10"))
    early = await call(nc, "period_close", kab, kec, params={"id": "2024-02"})
    assert (early.status, early.error["code"]) == (409, "EARLIER_PERIOD_OPEN")
    january = await call(nc, "period_close", kab, kec, params={"id": "2024-01"})
    assert (january.status, january.data) == (200, {"period": "2024-01", "closing_idr": 100_000})
    february = await call(nc, "period_close", kab, kec, params={"id": "2024-02"})
    assert february.data == {"period": "2024-02", "closing_idr": 160_000}
    again = await call(nc, "period_close", kab, kec, params={"id": "2024-01"})
    assert (again.status, again.position, again.data) == (200, january.position, january.data)
    for name, body in (
        ("donation_receive", gift(5_000, on="2024-02-29")),
        ("procure", lot(1, on="2024-01-31")),
        ("expense_record", cost(5_000, on="2024-02-01")),
    ):
        refused = await call(nc, name, kab, kec, body=body)
        assert (refused.status, refused.error["code"]) == (409, "PERIOD_CLOSED"), name
    late_void = await void(nc, kab, kec, given.data["donation_id"])
    assert (late_void.status, late_void.error["code"]) == (409, "PERIOD_CLOSED")
    periods = await call(nc, "periods", kab, kec, wait_for=again.position)
    assert periods.data == {"closed": ["2024-01", "2024-02"]}
    book = await call(nc, "cashbook_detail", kab, kec, params={"year": "2024", "month": "2"})
    assert (book.data["closed"], book.data["closing_idr"]) == (True, 160_000)


def entry(day: str, kind: str, ref: str, in_idr: int, out_idr: int, balance: int) -> dict[str, Any]:
    return {
        "date": day,
        "kind": kind,
        "ref": ref,
        "in_idr": in_idr,
        "out_idr": out_idr,
        "balance_idr": balance,
    }
