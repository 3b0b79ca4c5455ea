"""Two replicas racing on one fund: receipts stay gap-free, the balance never goes negative."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from services.donations.main import SPEC
from shared.config import Settings
from shared.events.donations import PackagesProcured, fund_ref
from shared.runtime import Runtime
from shared.tenancy import Tenant
from tests.integration.donations.conftest import (
    call,
    configure,
    cost,
    gift,
    lot,
    own_kabupaten,
    void,
)
from tests.support import running

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("replicas")]


@pytest_asyncio.fixture
async def replicas(settings: Settings, kab: str) -> AsyncIterator[list[Runtime]]:
    """Two processes' worth of the service in one queue group: NATS spreads the requests."""
    async with (
        running(SPEC, own_kabupaten(settings, kab)) as one,
        running(SPEC, own_kabupaten(settings, kab)) as two,
    ):
        yield [one, two]


async def test_fifty_concurrent_donations_sum_exactly_with_gap_free_receipts(nc, kab, kec) -> None:
    await configure(nc, kab, kec)
    amounts = [10_000 + 1_000 * i for i in range(50)]
    replies = await asyncio.gather(
        *(
            call(
                nc,
                "donation_receive",
                kab,
                kec,
                body=gift(a, donor=f"Pegawai {i}" if i % 2 else None),
            )
            for i, a in enumerate(amounts)
        )
    )
    assert [r.status for r in replies] == [201] * 50
    assert sorted(r.data["receipt_no"] for r in replies) == list(range(1, 51))
    assert len({r.data["donation_id"] for r in replies}) == 50
    last = max(r.position for r in replies)
    fund = await call(nc, "fund", kab, kec, wait_for=last)
    assert fund.data["donated_idr"] == fund.data["balance_idr"] == sum(amounts)
    ledger = await call(nc, "transparency", kab, kec)
    assert [d["receipt_no"] for d in ledger.data["donations"]] == list(range(1, 51))
    by_receipt = {r.data["receipt_no"]: a for r, a in zip(replies, amounts, strict=True)}
    assert {d["receipt_no"]: d["amount_idr"] for d in ledger.data["donations"]} == by_receipt


async def test_two_procurements_beyond_the_balance_together_one_is_refused(
    nc, kab, kec, replicas
) -> None:
    await configure(nc, kab, kec)
    await call(nc, "donation_receive", kab, kec, body=gift(500_000))
    replies = await asyncio.gather(*(call(nc, "procure", kab, kec, body=lot(3)) for _ in range(2)))
    assert sorted(r.status for r in replies) == [201, 409]
    refusal = next(r for r in replies if r.status == 409)
    assert refusal.error["code"] == "INSUFFICIENT_FUNDS"
    assert (refusal.error["balance_idr"], refusal.error["required_idr"]) == (200_000, 300_000)
    events = await replicas[0].store.load(fund_ref(Tenant(kab, kec)))
    assert sum(isinstance(e.event, PackagesProcured) for e in events) == 1
    won = next(r for r in replies if r.status == 201)
    fund = await call(nc, "fund", kab, kec, wait_for=won.position)
    assert (fund.data["balance_idr"], fund.data["packages_procured"]) == (200_000, 3)


async def test_the_same_donation_voided_twice_at_once_is_voided_once(nc, kab, kec) -> None:
    await configure(nc, kab, kec)
    given = await call(nc, "donation_receive", kab, kec, body=gift(90_000))
    replies = await asyncio.gather(
        *(void(nc, kab, kec, given.data["donation_id"], f"petugas {i}") for i in range(4))
    )
    assert sorted(r.status for r in replies) == [200, 409, 409, 409]
    assert {r.error["code"] for r in replies if r.error} == {"ALREADY_VOIDED"}
    won = next(r for r in replies if r.status == 200)
    fund = await call(nc, "fund", kab, kec, wait_for=won.position)
    assert (fund.data["voided_idr"], fund.data["balance_idr"]) == (90_000, 0)


async def test_concurrent_expenses_never_overdraw_and_number_their_receipts_without_gaps(
    nc, kab, kec, replicas
) -> None:
    await configure(nc, kab, kec)
    await call(nc, "donation_receive", kab, kec, body=gift(100_000))
    replies = await asyncio.gather(
        *(call(nc, "expense_record", kab, kec, body=cost(15_000)) for _ in range(10))
    )
    assert sorted(r.status for r in replies) == [201] * 6 + [409] * 4
    assert {r.error["code"] for r in replies if r.error} == {"INSUFFICIENT_FUNDS"}
    assert sorted(r.data["receipt_no"] for r in replies if r.status == 201) == list(range(1, 7))
    last = max(r.position for r in replies if r.status == 201)
    fund = await call(nc, "fund", kab, kec, wait_for=last)
    assert (fund.data["spent_idr"], fund.data["balance_idr"]) == (90_000, 10_000)
