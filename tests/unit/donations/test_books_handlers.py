"""The books' handlers on the in-memory fakes: expenses, closing a month, and their edge."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.donations import handlers
from services.donations.api import API
from shared.contracts.donations import ClosePeriod, ExpenseReceipt, RecordExpense
from shared.edge.kit import Written
from shared.edge.rpc import RpcReply, RpcRequest
from shared.events.donations import ExpenseRecorded, PeriodClosed
from tests.fakes import call_edge
from tests.unit.donations.test_handlers import (
    TENANT,
    Fixture,
    donation,
    fx,
    receive,
    refused,
)

pytestmark = pytest.mark.unit
__all__ = ["fx"]

TODAY = date(2024, 3, 15)


def expense(**overrides: Any) -> dict[str, Any]:
    body = {
        "amount_idr": 30_000,
        "spent_on": "2024-03-04",
        "category": "KEMASAN",
        "description": "Kardus paket sembako",
    }
    return {**body, **overrides}


async def spend(fx: Fixture, body: dict[str, Any], **kw: Any) -> Written[ExpenseReceipt]:
    ctx = fx.ctx(body, today=TODAY, **kw)
    return await handlers.record_expense(RecordExpense.model_validate(body), ctx)


async def close(fx: Fixture, period: str, command_id: str | None = None) -> RpcReply:
    req = RpcRequest(
        kab=TENANT.kab, kec=TENANT.kec, params={"id": period}, command_id=command_id or period
    )
    return await call_edge(fx.rt, API, fx.deps, ClosePeriod, req)


async def test_an_expense_answers_its_receipt_and_spends_the_balance(fx: Fixture) -> None:
    await receive(fx, donation(amount_idr=100_000))
    first = await spend(fx, expense())
    second = await spend(fx, expense(amount_idr=5_000, category="ADMINISTRASI"))
    assert [w.reply.receipt_no for w in (first, second)] == [1, 2]
    assert first.created
    assert (first.position, second.position) == (3, 4)
    stored = fx.fund_events()[-1]
    assert isinstance(stored, ExpenseRecorded)
    assert (stored.expense_id, stored.balance_after_idr) == (second.reply.expense_id, 65_000)


async def test_a_retried_expense_answers_the_first_and_appends_once(fx: Fixture) -> None:
    await receive(fx, donation(amount_idr=100_000))
    first = await spend(fx, expense(), command_id="exp-1")
    assert await spend(fx, expense(), command_id="exp-1") == first
    assert await spend(fx.again(), expense(), command_id="exp-1") == first
    assert len(fx.fund_events()) == 2


async def test_an_expense_beyond_the_balance_appends_nothing(fx: Fixture) -> None:
    await receive(fx, donation(amount_idr=10_000))
    await refused("INSUFFICIENT_FUNDS", 409, spend(fx, expense()))
    assert len(fx.fund_events()) == 1


async def test_closing_a_month_answers_its_closing_and_again_the_first_answer(
    fx: Fixture,
) -> None:
    await receive(fx, donation(amount_idr=100_000, received_on="2024-02-10"))
    await receive(fx, donation(amount_idr=7_000, received_on="2024-03-01"))
    first = await close(fx, "2024-02", "close-1")
    assert (first.status, first.position, first.data) == (
        200,
        4,
        {"period": "2024-02", "closing_idr": 100_000},
    )
    await spend(fx, expense())  # the log moves on
    again = await close(fx, "2024-02", "close-2")
    elsewhere = Fixture(fx.rt, fx.again().deps, fx.setup)
    assert again == first
    assert await close(elsewhere, "2024-02", "close-3") == first
    assert [type(e) for e in fx.fund_events()].count(PeriodClosed) == 1


async def test_closing_refuses_a_bad_period_and_an_earlier_open_month(fx: Fixture) -> None:
    await receive(fx, donation(received_on="2024-01-10"))
    bad = await close(fx, "2024-1")
    assert (bad.status, bad.error and bad.error["field"]) == (422, "period")
    early = await close(fx, "2024-02")
    assert (early.status, early.error and early.error["code"]) == (409, "EARLIER_PERIOD_OPEN")
    assert len(fx.fund_events()) == 1


async def test_a_closed_month_refuses_a_late_donation_and_expense(fx: Fixture) -> None:
    await receive(fx, donation(amount_idr=100_000, received_on="2024-02-10"))
    assert (await close(fx, "2024-02")).status == 200
    await refused("PERIOD_CLOSED", 409, receive(fx, donation(received_on="2024-02-28")))
    await refused("PERIOD_CLOSED", 409, spend(fx, expense(spent_on="2024-02-01")))
    assert len(fx.fund_events()) == 2
    assert (await receive(fx, donation(received_on="2024-03-01"))).reply.receipt_no == 2
