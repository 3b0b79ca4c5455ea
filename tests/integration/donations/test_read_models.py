"""The read models: fund, summary, monthly recap, per-unit totals, the public ledger."""

from __future__ import annotations

import json

import pytest

from shared.crypto import open_text
from shared.events.donations import DonationReceived, fund_ref
from shared.log.reader import read_pages
from shared.tenancy import Tenant, stream_name
from tests.integration.donations.conftest import UNITS, call, configure, gift, lot, void

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("service")]

DONOR = "Siti Aminah Rahayu"


async def test_a_donor_name_is_sealed_in_the_log_and_in_no_read_model(
    nc, kab, kec, service, pool
) -> None:
    await configure(nc, kab, kec)
    named = await call(nc, "donation_receive", kab, kec, body=gift(90_000, donor=DONOR))
    await call(nc, "donation_receive", kab, kec, body=gift(10_000, donor=" hamba  allah "))
    public = await call(nc, "transparency", kab, kec, wait_for=named.position + 1)
    assert [d["amount_idr"] for d in public.data["donations"]] == [90_000, 10_000]
    assert "Siti" not in json.dumps(public.data)
    stored = [
        e async for page in read_pages(nc, stream_name(kab), f"smart.{kab}.>", 1) for e in page
    ]
    assert stored
    assert all(b"Siti" not in e.data for e in stored)
    for table in (
        "fund",
        "monthly_recap",
        "unit_monthly",
        "ledger_donations",
        "ledger_procurements",
    ):
        rows = await pool.fetch(
            f"select t::text as row from donations.{table} t where kab = $1", kab
        )
        assert all("Siti" not in r["row"] for r in rows), table
    events = [e.event for e in await service.store.load(fund_ref(Tenant(kab, kec)))]
    assert isinstance(events[0], DonationReceived)
    assert isinstance(events[1], DonationReceived)
    assert (events[0].anonymous, events[1].anonymous, events[1].donor_sealed) == (False, True, None)
    donation_id = named.data["donation_id"]
    assert service.keys is not None
    key = await service.keys.existing(f"donation:{donation_id}")
    assert key is not None
    assert events[0].donor_sealed is not None
    assert open_text(key, events[0].donor_sealed, donation_id) == DONOR


async def test_summary_counts_by_business_date_with_voids_at_the_donation_date(
    nc, kab, kec
) -> None:
    await configure(nc, kab, kec)
    old = await call(nc, "donation_receive", kab, kec, body=gift(300_000, on="2023-11-20"))
    await call(nc, "donation_receive", kab, kec, body=gift(400_000, on="2024-01-12"))
    await call(nc, "procure", kab, kec, body=lot(2, on="2023-12-01"))
    await call(nc, "procure", kab, kec, body=lot(1, on="2024-02-02"))
    await call(nc, "donation_receive", kab, kec, body=gift(50_000, on="2023-12-24"))
    voided = await void(nc, kab, kec, old.data["donation_id"], "salah tahun")
    assert voided.status == 200
    y2023 = await call(nc, "summary", kab, kec, params={"year": 2023}, wait_for=voided.position)
    y2024 = await call(nc, "summary", kab, kec, params={"year": "2024"})
    assert y2023.data == {"donations_idr": 50_000, "spent_idr": 200_000}
    assert y2024.data == {"donations_idr": 400_000, "spent_idr": 100_000}


async def _december_to_february(nc, kab, kec) -> int:
    """Given Rp 200.000 in December, three January gifts from two units (one returned
    later), four packages bought in February: the fund ends at zero."""
    await configure(nc, kab, kec)
    await call(nc, "donation_receive", kab, kec, body=gift(200_000, on="2023-12-15"))
    jan = [
        gift(100_000, on="2024-01-05", unit=UNITS[0]),
        gift(150_000, on="2024-01-19", unit=UNITS[1]),
        gift(50_000, on="2024-01-26", unit=UNITS[1]),
    ]
    ids = [(await call(nc, "donation_receive", kab, kec, body=b)).data["donation_id"] for b in jan]
    await call(nc, "procure", kab, kec, body=lot(4, on="2024-02-09"))
    returned = await void(nc, kab, kec, ids[0], "dikembalikan")
    assert returned.status == 200
    return returned.position


async def test_monthly_recap_shows_participation_packages_and_closing_balance(nc, kab, kec) -> None:
    last = await _december_to_february(nc, kab, kec)
    recap = await call(nc, "recap", kab, kec, params={"year": 2024}, wait_for=last)
    rows = recap.data["rows"]
    assert recap.data["year"] == 2024
    assert [r["month"] for r in rows] == list(range(1, 13))
    assert rows[0] == {
        "month": 1,
        "donations": 2,
        "donations_idr": 200_000,
        "voided_idr": 100_000,
        "units_taking_part": 1,
        "units_total": 4,
        "packages_procured": 0,
        "spent_idr": 0,
        "closing_balance_idr": 400_000,
    }
    assert (rows[1]["packages_procured"], rows[1]["spent_idr"]) == (4, 400_000)
    assert [r["closing_balance_idr"] for r in rows[1:]] == [0] * 11


async def test_per_unit_totals_list_every_unit_net_of_voids(nc, kab, kec) -> None:
    last = await _december_to_february(nc, kab, kec)
    units = await call(nc, "units", kab, kec, params={"year": 2024}, wait_for=last)
    assert units.data["units"] == [
        {"unit": UNITS[0], "donations": 0, "amount_idr": 0, "months_taking_part": 0},
        {"unit": UNITS[1], "donations": 2, "amount_idr": 200_000, "months_taking_part": 1},
        {"unit": UNITS[2], "donations": 0, "amount_idr": 0, "months_taking_part": 0},
        {"unit": UNITS[3], "donations": 0, "amount_idr": 0, "months_taking_part": 0},
    ]
    every_year = await call(nc, "units", kab, kec)
    assert every_year.data["units"][1]["amount_idr"] == 400_000


async def test_the_public_ledger_lists_every_receipt_and_lot_without_donors(nc, kab, kec) -> None:
    await configure(nc, kab, kec)
    a = await call(nc, "donation_receive", kab, kec, body=gift(120_000, donor="Budi Santoso"))
    await call(nc, "donation_receive", kab, kec, body=gift(80_000, unit="Desa Garon"))
    await void(nc, kab, kec, a.data["donation_id"], "salah unit")
    last = await call(nc, "procure", kab, kec, body=lot(1, on="2024-03-04", price=80_000))
    assert last.status == 201
    ledger = (
        await call(nc, "transparency", kab, kec, params={"year": 2024}, wait_for=last.position)
    ).data
    assert [
        (d["receipt_no"], d["unit"], d["amount_idr"], d["voided"]) for d in ledger["donations"]
    ] == [(1, "Desa Balerejo", 120_000, True), (2, "Desa Garon", 80_000, False)]
    assert ledger["donations"][0]["received_on"] == "2024-03-01"
    assert ledger["procurements"] == [
        {
            "purchased_on": "2024-03-04",
            "packages": 1,
            "unit_price_idr": 80_000,
            "total_idr": 80_000,
            "supplier": "Toko Sembako Makmur",
            "balance_after_idr": 0,
        }
    ]
    assert ledger["fund"]["balance_idr"] == 0
    assert "Budi" not in json.dumps(ledger)
    assert (await call(nc, "transparency", kab, kec, params={"year": 2023})).data["donations"] == []
