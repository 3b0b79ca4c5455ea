"""The distribution figures: per desa and month, the year's totals, coverage, summary."""

from __future__ import annotations

import pytest
from nats.aio.client import Client as NATS

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


async def test_packages_value_and_distinct_households_per_desa_month_and_year(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, garon, tladan = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 3, price=100_000)
    await procure(nc, kab, kec, 5, price=120_000)
    b1, b2 = [await register(nc, kab, kec, household(balerejo, n)) for n in (1, 2)]
    g1 = await register(nc, kab, kec, household(garon, 3))
    await register(nc, kab, kec, household(tladan, 4))
    await register(nc, kab, kec, household(tladan, 5, aid=["BLT_DD"]))
    january = await open_round(nc, kab, kec, balerejo, "2025-01", 5)
    february = await open_round(nc, kab, kec, garon, "2025-02", 5)
    march = await open_round(nc, kab, kec, balerejo, "2025-03", 5)
    for round_id, hid, day in [
        (january, b1, "2025-01-10"),
        (january, b2, "2025-01-10"),
        (february, g1, "2025-02-14"),
        (march, b1, "2025-03-07"),
    ]:
        assert (await hand_out(nc, kab, kec, round_id, hid, day)).status == 201
    forgotten = await call(nc, "household_forget", kab, kec, params={"id": b2})

    figures = await call(
        nc, "distribution", kab, kec, params={"year": 2025}, wait_for=forgotten.position
    )
    assert figures.data == {
        "rows": [
            {
                "desa": balerejo,
                "month": "2025-01",
                "packages": 2,
                "value_idr": 200_000,
                "households_reached": 2,
            },
            {
                "desa": garon,
                "month": "2025-02",
                "packages": 1,
                "value_idr": 100_000,
                "households_reached": 1,
            },
            {
                "desa": balerejo,
                "month": "2025-03",
                "packages": 1,
                "value_idr": 120_000,
                "households_reached": 1,
            },
        ],
        "totals": {"packages": 4, "value_idr": 420_000, "households_reached": 3},
        "coverage": [
            {"desa": balerejo, "eligible": 1, "reached": 2},
            {"desa": garon, "eligible": 1, "reached": 1},
            {"desa": tladan, "eligible": 1, "reached": 0},
        ],
    }
    summary = await call(nc, "summary", kab, kec, params={"year": 2025})
    assert summary.data == {
        "packages_distributed": 4,
        "packages_value_idr": 420_000,
        "households_reached": 3,
    }
    empty = await call(nc, "summary", kab, kec, params={"year": 2024})
    assert empty.data == {
        "packages_distributed": 0,
        "packages_value_idr": 0,
        "households_reached": 0,
    }
    bad = await call(nc, "distribution", kab, kec, params={"year": "dua ribu"})
    assert (bad.status, bad.error["field"]) == (422, "year")
    rounds = await call(nc, "rounds", kab, kec, params={"year": 2025})
    assert [(r["month"], r["packages"], r["closed"]) for r in rounds.data["rounds"]] == [
        ("2025-01", 2, False),
        ("2025-02", 1, False),
        ("2025-03", 1, False),
    ]
