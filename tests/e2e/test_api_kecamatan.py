"""HTTP contract: the kecamatan's set-up (PUT/GET) and the rota (schedule, hold, cancel)."""

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
    kecamatan_body,
    log_count,
    new_api,
    today,
)

pytestmark = pytest.mark.e2e

FRIDAY_KINDS = ["SENAM", "JALAN_JALAN", "BERSIH_BERSIH", "SHOLAWATAN_BERBAGI"]


@pytest_asyncio.fixture
async def api(system: System, tenant: tuple[str, str]) -> AsyncIterator[Api]:
    api = new_api(system, tenant)
    async with api.client:
        yield api


async def schedule(api: Api, year: int, month: int) -> dict[str, Any]:
    await api.configure()
    resp = await api.post("/schedule", {"year": year, "month": month})
    return assert_write(resp, "activities", status=201)


async def scheduled(api: Api, year: int, month: int) -> list[dict[str, Any]]:
    return list((await schedule(api, year, month))["activities"])


async def test_put_creates_the_kecamatan_and_a_second_put_updates_it(api: Api) -> None:
    first = await api.put(kecamatan_body(api.kec))
    created = assert_write(first, "code", "name", "desa", "units", status=201)
    assert created["code"] == f"{api.kec[:2]}.{api.kec[2:4]}.{api.kec[4:]}"
    assert [d["code"] for d in created["desa"]] == [
        f"{created['code']}.{n}" for n in (2001, 2002, 2003)
    ]

    changed = kecamatan_body(api.kec, n_desa=2, name="Kecamatan Uji Baru")
    second = assert_write(await api.put(changed), "code")
    assert second["position"] > created["position"]

    got = await api.get("", params={"wait_for": second["position"]})
    assert got.status_code == 200
    assert got.json() == {
        "code": created["code"],
        "name": "Kecamatan Uji Baru",
        "desa": changed["desa"],
        "units": changed["units"],
    }


@pytest.mark.parametrize(
    ("body", "field_name"),
    [
        ({"desa": [{"code": "93.01.01.2001", "name": "A"}], "units": []}, "name"),
        ({"name": "K", "desa": [{"code": "35-20", "name": "A"}], "units": []}, "desa.0.code"),
        ({"name": "K", "desa": [{"code": "93.01.01.2001", "name": "A"}]}, "units"),
    ],
)
async def test_put_refuses_a_bad_body_naming_the_field(
    api: Api, system: System, body: dict[str, Any], field_name: str
) -> None:
    assert_error(await api.put(body), 422, "INVALID", field_name)
    assert await log_count(system, api.kab, api.kec) == 0


@pytest.mark.parametrize("kec_suffix", ["1", "123", "xx"])
async def test_a_kecamatan_code_not_of_the_kabupaten_form_is_not_found(
    api: Api, kec_suffix: str
) -> None:
    resp = await api.client.get(f"/api/v1/{api.kab}/{api.kab}{kec_suffix}")
    assert_error(resp, 404, "NOT_FOUND")
    other_kab = await api.client.get(f"/api/v1/{api.kab}/9999{api.kec[-2:]}")
    assert_error(other_kab, 404, "NOT_FOUND")


async def test_scheduling_a_month_follows_the_rota(api: Api) -> None:
    activities = await scheduled(api, 2024, 5)
    dates = [date.fromisoformat(a["date"]) for a in activities]
    assert dates == sorted(dates)
    assert set(activities[0]) == {"id", "date", "kind", "host_desa", "status", "note"}
    tuesdays = [a for a in activities if a["kind"] == "SERASA_DESA"]
    fridays = [a for a in activities if a["kind"] != "SERASA_DESA"]
    assert [date.fromisoformat(a["date"]).day for a in tuesdays] == [7, 14, 21, 28]
    assert [a["host_desa"] for a in tuesdays] == [*api.desa, api.desa[0]]
    assert [a["kind"] for a in fridays] == FRIDAY_KINDS
    # 10 and 24 May 2024 are cuti bersama (Ascension, Vesak): moved earlier in their week
    assert [date.fromisoformat(a["date"]).day for a in fridays] == [3, 8, 17, 22]
    assert [a["host_desa"] for a in fridays] == [*api.desa, api.desa[0]], "one Friday rotation"
    assert all(a["status"] == "scheduled" for a in activities)


async def test_a_holiday_moves_an_activity_or_skips_it_without_using_a_turn(api: Api) -> None:
    activities = await scheduled(api, 2025, 4)
    by_date = {a["date"]: a for a in activities}
    skipped = by_date["2025-04-01"]
    assert skipped["status"] == "skipped"
    assert skipped["host_desa"] is None
    assert skipped["note"]
    tuesdays = [a for a in activities if a["kind"] == "SERASA_DESA" and a is not skipped]
    assert [a["host_desa"] for a in tuesdays] == [*api.desa, api.desa[0]]
    good_friday = [a for a in activities if a["kind"] == "BERSIH_BERSIH"]
    assert [a["date"] for a in good_friday] == ["2025-04-17"]
    assert [a["kind"] for a in activities if a["kind"] != "SERASA_DESA"] == FRIDAY_KINDS


async def test_a_configured_fifth_friday_and_local_day_off(api: Api) -> None:
    body = kecamatan_body(api.kec) | {
        "fifth_friday": "SENAM",
        "days_off": [{"date": "2024-05-14", "name": "Hari Jadi Kabupaten"}],
    }
    assert_write(await api.put(body), status=201)
    resp = await api.post("/schedule", {"year": 2024, "month": 5})
    activities = assert_write(resp, status=201)["activities"]
    fridays = [a for a in activities if a["kind"] != "SERASA_DESA"]
    assert [a["kind"] for a in fridays] == [*FRIDAY_KINDS, "SENAM"]
    assert fridays[-1]["date"] == "2024-05-31"
    tuesdays = [a["date"] for a in activities if a["kind"] == "SERASA_DESA"]
    assert tuesdays == ["2024-05-07", "2024-05-13", "2024-05-21", "2024-05-28"]


@pytest.mark.parametrize(
    ("body", "field_name"),
    [({"year": 2024, "month": 13}, "month"), ({"year": 2024}, "month"), ({"month": 1}, "year")],
)
async def test_scheduling_refuses_a_bad_month(
    api: Api, system: System, body: dict[str, int], field_name: str
) -> None:
    await api.configure()
    count = await log_count(system, api.kab, api.kec)
    assert_error(await api.post("/schedule", body), 422, "INVALID", field_name)
    assert await log_count(system, api.kab, api.kec) == count


async def test_scheduling_a_month_twice_answers_the_same_and_appends_nothing(
    api: Api, system: System
) -> None:
    await api.configure()
    first = assert_write(await api.post("/schedule", {"year": 2024, "month": 6}), status=201)
    before = await log_count(system, api.kab, api.kec)
    again = assert_write(await api.post("/schedule", {"year": 2024, "month": 6}), status=200)
    assert again == first
    assert await log_count(system, api.kab, api.kec) == before


async def test_activities_of_a_month_in_date_order(api: Api) -> None:
    written = await schedule(api, 2024, 7)
    activities = written["activities"]
    last = activities[-1]
    params = {"year": 2024, "month": 7, "wait_for": written["position"]}
    resp = await api.get("/activities", params=params)
    assert resp.status_code == 200
    assert resp.json() == {"activities": activities}
    assert last["date"] == "2024-07-30"
    empty = await api.get("/activities", params={"year": 2024, "month": 8})
    assert empty.json() == {"activities": []}


@pytest.mark.parametrize(("params", "field_name"), [({"year": 2024, "month": 13}, "month")])
async def test_activities_refuse_a_bad_month(
    api: Api, params: dict[str, int], field_name: str
) -> None:
    await api.configure()
    assert_error(await api.get("/activities", params=params), 422, "INVALID", field_name)


def held_body(on: str, officials: int = 12, residents: int = 40) -> dict[str, Any]:
    return {"held_on": on, "attendance": {"officials": officials, "residents": residents}}


async def test_holding_an_activity_then_again_is_refused(api: Api, system: System) -> None:
    activity = (await scheduled(api, 2024, 9))[0]
    path = f"/activities/{activity['id']}"
    held = assert_write(await api.post(f"{path}/held", held_body(activity["date"])), "id")
    assert held["status"] == "held"
    assert held["id"] == activity["id"]
    count = await log_count(system, api.kab, api.kec)
    assert_error(await api.post(f"{path}/held", held_body(activity["date"])), 409, "ALREADY_HELD")
    assert_error(await api.post(f"{path}/cancel", {"reason": "hujan"}), 409, "ALREADY_HELD")
    assert await log_count(system, api.kab, api.kec) == count


async def test_a_cancelled_activity_cannot_be_held(api: Api, system: System) -> None:
    activity = (await scheduled(api, 2024, 10))[1]
    path = f"/activities/{activity['id']}"
    cancelled = assert_write(await api.post(f"{path}/cancel", {"reason": "Banjir di desa"}))
    assert cancelled["status"] == "cancelled"
    count = await log_count(system, api.kab, api.kec)
    refused = await api.post(f"{path}/held", held_body(activity["date"]))
    assert_error(refused, 409, "ACTIVITY_CANCELLED")
    assert await log_count(system, api.kab, api.kec) == count


async def test_a_skipped_activity_cannot_be_held_or_cancelled(api: Api) -> None:
    skipped = (await scheduled(api, 2025, 4))[0]
    path = f"/activities/{skipped['id']}"
    assert_error(await api.post(f"{path}/held", held_body("2025-04-01")), 409, "ACTIVITY_SKIPPED")
    assert_error(await api.post(f"{path}/cancel", {"reason": "libur"}), 409, "ACTIVITY_SKIPPED")


@pytest.mark.parametrize(
    ("officials", "residents", "shift", "field_name"),
    [
        (-1, 10, 0, "attendance.officials"),
        (3, -2, 0, "attendance.residents"),
        (3, 10, 8, "held_on"),
        (3, 10, -8, "held_on"),
    ],
)
async def test_holding_refuses_bad_attendance_or_a_far_date(
    api: Api, system: System, officials: int, residents: int, shift: int, field_name: str
) -> None:
    activity = (await scheduled(api, 2024, 11))[2]
    on = date.fromordinal(date.fromisoformat(activity["date"]).toordinal() + shift).isoformat()
    count = await log_count(system, api.kab, api.kec)
    resp = await api.post(f"/activities/{activity['id']}/held", held_body(on, officials, residents))
    assert_error(resp, 422, "INVALID", field_name)
    assert await log_count(system, api.kab, api.kec) == count


async def test_holding_on_a_day_still_to_come_is_refused(api: Api, system: System) -> None:
    now = today()
    months = {
        (now.year, now.month),
        ((now + timedelta(days=8)).year, (now + timedelta(days=8)).month),
    }
    planned = [a for year, month in sorted(months) for a in await scheduled(api, year, month)]
    activity = next(
        a
        for a in planned
        if a["status"] == "scheduled" and now < date.fromisoformat(a["date"]) <= now + timedelta(7)
    )
    count = await log_count(system, api.kab, api.kec)
    resp = await api.post(f"/activities/{activity['id']}/held", held_body(activity["date"]))
    assert_error(resp, 422, "INVALID", "held_on")
    assert "future" in resp.json()["error"]["message_en"]
    assert await log_count(system, api.kab, api.kec) == count


async def test_holding_seven_days_after_the_date_is_accepted(api: Api) -> None:
    activity = (await scheduled(api, 2024, 11))[3]
    on = date.fromordinal(date.fromisoformat(activity["date"]).toordinal() + 7).isoformat()
    resp = await api.post(f"/activities/{activity['id']}/held", held_body(on, 0, 0))
    assert assert_write(resp)["status"] == "held"


async def test_an_unknown_activity_is_not_found(api: Api) -> None:
    await scheduled(api, 2024, 12)
    unknown = "0190a3f4-0000-7000-8000-000000000000"
    body = held_body("2024-12-06")
    assert_error(await api.post(f"/activities/{unknown}/held", body), 404, "NOT_FOUND")
    resp = await api.post(f"/activities/{unknown}/cancel", {"reason": "x"})
    assert_error(resp, 404, "NOT_FOUND")
