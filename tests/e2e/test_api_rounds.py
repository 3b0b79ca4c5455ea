"""HTTP contract: rounds, suggestions, package hand-outs and the distribution report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
import pytest_asyncio

from tests.e2e.conftest import System
from tests.e2e.test_api_support import (
    Api,
    assert_error,
    assert_write,
    log_count,
    new_api,
    this_month,
    today,
)

pytestmark = pytest.mark.e2e

UNKNOWN = "0190a3f4-0000-7000-8000-0000000000bb"


@pytest_asyncio.fixture
async def api(system: System, tenant: tuple[str, str]) -> AsyncIterator[Api]:
    api = new_api(system, tenant)
    async with api.client:
        await api.configure()
        await api.donate(2_000_000)
        yield api


def last_day_of_last_month() -> date:
    return today().replace(day=1) - timedelta(days=1)


async def test_opening_a_round_once_per_desa_and_month(api: Api, system: System) -> None:
    opened = await api.open_round(api.desa[0], quota=3)
    other = await api.open_round(api.desa[1], quota=3)
    assert opened["round_id"] != other["round_id"]
    count = await log_count(system, api.kab, api.kec)
    again = {"desa": api.desa[0], "month": this_month(), "quota": 1}
    assert_error(await api.post("/rounds", again), 409, "ROUND_EXISTS")
    assert await log_count(system, api.kab, api.kec) == count


@pytest.mark.parametrize(
    ("overrides", "field_name"),
    [
        ({"quota": 0}, "quota"),
        ({"month": "2024-13"}, "month"),
        ({"month": "2024/05"}, "month"),
        ({"desa": "99.99.99.9999"}, "desa"),
    ],
)
async def test_a_bad_round_is_refused_naming_the_field(
    api: Api, system: System, overrides: dict[str, Any], field_name: str
) -> None:
    count = await log_count(system, api.kab, api.kec)
    body = {"desa": api.desa[0], "month": this_month(), "quota": 2, **overrides}
    assert_error(await api.post("/rounds", body), 422, "INVALID", field_name)
    assert await log_count(system, api.kab, api.kec) == count


async def test_packages_take_the_lots_first_in_first_out(api: Api) -> None:
    await api.procure(packages=1, price=90_000)
    await api.procure(packages=2, price=110_000)
    round_id = (await api.open_round(quota=3))["round_id"]
    values = []
    for _ in range(3):
        household = await api.register()
        resp = await api.hand_out(round_id, household["household_id"])
        values.append(assert_write(resp, "package_id", "value_idr", status=201)["value_idr"])
    assert values == [90_000, 110_000, 110_000]


async def test_suggestions_put_never_received_first_then_lower_desil(api: Api) -> None:
    await api.procure(packages=5)
    served = await api.register(desil=2)
    earlier = {"desa": api.desa[0], "month": f"{last_day_of_last_month():%Y-%m}", "quota": 5}
    earlier_round = assert_write(await api.post("/rounds", earlier), status=201)["round_id"]
    body = {"household_id": served["household_id"], "distributed_on": str(last_day_of_last_month())}
    assert_write(await api.post(f"/rounds/{earlier_round}/packages", body), status=201)
    poorer = await api.register(desil=1)
    richer = await api.register(desil=4)
    await api.register(desil=1, aid=["BPNT"])
    await api.register(desa=api.desa[1], desil=1)
    round_id = (await api.open_round(quota=1))["round_id"]
    resp = await api.get(f"/rounds/{round_id}/suggestions")
    assert resp.status_code == 200
    suggestions = resp.json()["suggestions"]
    expected = [poorer["household_id"], richer["household_id"], served["household_id"]]
    assert [s["household_id"] for s in suggestions] == expected
    assert suggestions[2]["last_received"] == str(last_day_of_last_month())
    assert suggestions[0]["last_received"] is None
    assert suggestions[0]["nik_masked"].count("*") == 8
    assert "*" in suggestions[0]["name_masked"]
    assert set(suggestions[0]) == {
        "household_id",
        "name_masked",
        "nik_masked",
        "desil",
        "last_received",
    }
    handed = assert_write(await api.hand_out(round_id, poorer["household_id"]), status=201)
    after = await api.get(
        f"/rounds/{round_id}/suggestions", params={"wait_for": handed["position"]}
    )
    assert [s["household_id"] for s in after.json()["suggestions"]] == expected[1:]


async def refused(api: Api, system: System, round_id: str, household_id: str, code: str) -> None:
    count = await log_count(system, api.kab, api.kec)
    assert_error(await api.hand_out(round_id, household_id), 409, code)
    assert await log_count(system, api.kab, api.kec) == count


async def test_hand_out_refusals(api: Api, system: System) -> None:
    await api.procure(packages=5)
    round_id = (await api.open_round(quota=2))["round_id"]
    on_pkh = await api.register(aid=["PKH"])
    await refused(api, system, round_id, on_pkh["household_id"], "NOT_ELIGIBLE")
    elsewhere = await api.register(desa=api.desa[1])
    await refused(api, system, round_id, elsewhere["household_id"], "WRONG_DESA")
    first = await api.register()
    assert_write(await api.hand_out(round_id, first["household_id"]), status=201)
    await refused(api, system, round_id, first["household_id"], "ALREADY_RECEIVED")
    gone = await api.register()
    assert_write(await api.client.delete(api.url(f"/households/{gone['household_id']}")))
    await refused(api, system, round_id, gone["household_id"], "HOUSEHOLD_FORGOTTEN")
    second = await api.register()
    assert_write(await api.hand_out(round_id, second["household_id"]), status=201)
    third = await api.register()
    await refused(api, system, round_id, third["household_id"], "QUOTA_REACHED")


async def test_no_stock_then_a_closed_round(api: Api, system: System) -> None:
    round_id = (await api.open_round(quota=5))["round_id"]
    household = await api.register()
    await refused(api, system, round_id, household["household_id"], "NO_STOCK")
    await api.procure(packages=1)
    closed = assert_write(await api.post(f"/rounds/{round_id}/close"), "round_id")
    assert closed["round_id"] == round_id
    await refused(api, system, round_id, household["household_id"], "ROUND_CLOSED")


async def test_unknown_ids_in_a_hand_out(api: Api, system: System) -> None:
    await api.procure(packages=1)
    round_id = (await api.open_round())["round_id"]
    household = await api.register()
    count = await log_count(system, api.kab, api.kec)
    assert_error(await api.hand_out(round_id, UNKNOWN), 404, "NOT_FOUND")
    assert_error(await api.hand_out(UNKNOWN, household["household_id"]), 404, "NOT_FOUND")
    assert_error(await api.get(f"/rounds/{UNKNOWN}/suggestions"), 404, "NOT_FOUND")
    assert_error(await api.post(f"/rounds/{UNKNOWN}/close"), 404, "NOT_FOUND")
    assert await log_count(system, api.kab, api.kec) == count


@pytest.mark.parametrize("shift", [-1, 31])
async def test_a_hand_out_outside_the_round_month_is_refused(
    api: Api, system: System, shift: int
) -> None:
    await api.procure(packages=1)
    round_id = (await api.open_round())["round_id"]
    household = await api.register()
    first = today().replace(day=1)
    on = first + timedelta(days=shift) if shift < 0 else (first + timedelta(days=32)).replace(day=1)
    count = await log_count(system, api.kab, api.kec)
    body = {"household_id": household["household_id"], "distributed_on": on.isoformat()}
    resp = await api.post(f"/rounds/{round_id}/packages", body)
    assert_error(resp, 422, "INVALID", "distributed_on")
    assert await log_count(system, api.kab, api.kec) == count


async def test_the_distribution_report(api: Api) -> None:
    await api.procure(packages=3, price=100_000)
    round_id = (await api.open_round(quota=3))["round_id"]
    reached = [await api.register() for _ in range(2)]
    await api.register(desa=api.desa[1])
    for household in reached:
        handed = assert_write(await api.hand_out(round_id, household["household_id"]), status=201)
    resp = await api.get(
        "/distribution", params={"year": today().year, "wait_for": handed["position"]}
    )
    assert resp.status_code == 200
    report = resp.json()
    assert report["rows"] == [
        {
            "desa": api.desa[0],
            "month": this_month(),
            "packages": 2,
            "value_idr": 200_000,
            "households_reached": 2,
        }
    ]
    assert report["totals"] == {"packages": 2, "value_idr": 200_000, "households_reached": 2}
    coverage = {c["desa"]: c for c in report["coverage"]}
    assert coverage[api.desa[0]] == {"desa": api.desa[0], "eligible": 2, "reached": 2}
    assert coverage[api.desa[1]] == {"desa": api.desa[1], "eligible": 1, "reached": 0}
    forgotten = await api.client.delete(api.url(f"/households/{reached[0]['household_id']}"))
    after = await api.get(
        "/distribution", params={"year": today().year, "wait_for": forgotten.json()["position"]}
    )
    assert after.json()["totals"] == report["totals"]
    assert after.json()["rows"] == report["rows"]
    assert_error(await api.get("/distribution", params={"year": "abc"}), 422, "INVALID", "year")
