"""HTTP contract: the year's summary across every programme, by business date."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_api_support import UNITS, Api, assert_error, assert_write

pytestmark = pytest.mark.e2e

KINDS = ("SENAM", "JALAN_JALAN", "BERSIH_BERSIH", "SHOLAWATAN_BERBAGI", "SERASA_DESA")


async def write(api: Api, path: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    return assert_write(await api.post(path, body), status=status)


async def rota_of_may_2024(api: Api) -> int:
    activities = (await write(api, "/schedule", {"year": 2024, "month": 5}))["activities"]
    senam = next(a for a in activities if a["kind"] == "SENAM")
    held = {"held_on": senam["date"], "attendance": {"officials": 20, "residents": 55}}
    return int((await write(api, f"/activities/{senam['id']}/held", held, 200))["position"])


async def fund_of_2024(api: Api) -> None:
    gift = {"unit": UNITS[0], "amount_idr": 1_000_000, "received_on": "2024-03-01"}
    await write(api, "/donations", gift)
    voided = await write(api, "/donations", {**gift, "amount_idr": 400_000})
    await write(api, f"/donations/{voided['donation_id']}/void", {"reason": "Salah"}, 200)
    await write(api, "/donations", {**gift, "received_on": "2023-12-29"})
    lot = {"packages": 3, "unit_price_idr": 100_000, "supplier": "Toko Makmur"}
    await write(api, "/procurements", {**lot, "purchased_on": "2024-03-02"})


async def packages_of_2024(api: Api) -> None:
    first = await api.register(snapshot_date="2024-01-02")
    second = await api.register(snapshot_date="2024-01-02")
    for month, households in (("2024-03", (first, second)), ("2024-04", (first,))):
        round_id = (await write(api, "/rounds", {"desa": api.desa[0], "month": month, "quota": 5}))[
            "round_id"
        ]
        for household in households:
            body = {"household_id": household["household_id"], "distributed_on": f"{month}-15"}
            await write(api, f"/rounds/{round_id}/packages", body)


async def findings_up_to_2025(api: Api) -> int:
    position = 0
    for found_on in ("2021-02-02", "2021-08-09", "2022-06-01", "2024-10-10", "2025-01-07"):
        body = {
            "unit": UNITS[1],
            "category": "KEHADIRAN",
            "severity": "RINGAN",
            "found_on": found_on,
            "source": "INSPEKTORAT",
            "description": "Tidak masuk kerja tanpa keterangan",
        }
        position = int((await write(api, "/findings", body))["position"])
    return position


async def test_the_summary_of_a_year(api: Api) -> None:
    await rota_of_may_2024(api)
    await fund_of_2024(api)
    await packages_of_2024(api)
    last = await findings_up_to_2025(api)
    resp = await api.get("/summary", params={"year": 2024, "wait_for": last})
    assert resp.status_code == 200, resp.text
    summary = resp.json()
    assert summary["year"] == 2024
    assert summary["activities"] == {
        "scheduled": {"SENAM": 1, "JALAN_JALAN": 1, "BERSIH_BERSIH": 1, "SHOLAWATAN_BERBAGI": 1}
        | {"SERASA_DESA": 4},
        "held": {kind: int(kind == "SENAM") for kind in KINDS},
    }
    assert summary["donations_idr"] == 1_000_000
    assert summary["spent_idr"] == 300_000
    assert summary["packages_distributed"] == 3
    assert summary["packages_value_idr"] == 300_000
    assert summary["households_reached"] == 2
    by_year = {year: n for year, n in summary["findings_by_year"].items() if n}
    assert by_year == {"2021": 2, "2022": 1, "2024": 1}
    assert all(int(year) <= 2024 for year in summary["findings_by_year"])


async def test_a_year_with_nothing_has_every_kind_at_zero(api: Api) -> None:
    resp = await api.get("/summary", params={"year": 2023})
    assert resp.status_code == 200, resp.text
    summary = resp.json()
    assert summary["activities"] == {
        "scheduled": dict.fromkeys(KINDS, 0),
        "held": dict.fromkeys(KINDS, 0),
    }
    zeros = ("donations_idr", "spent_idr", "packages_distributed", "packages_value_idr")
    assert [summary[k] for k in zeros] == [0, 0, 0, 0]
    assert summary["households_reached"] == 0


@pytest.mark.parametrize("year", ["", "dua ribu", "1999", "2101"])
async def test_the_summary_needs_a_year(api: Api, year: str) -> None:
    assert_error(await api.get("/summary", params={"year": year}), 422, "INVALID", "year")
    assert_error(await api.get("/summary"), 422, "INVALID", "year")
