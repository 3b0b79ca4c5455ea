"""HTTP contract: rounds, suggestions, package hand-outs (BAST numbers, who received, evidence),
stock adjustments and the distribution report."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
import pytest_asyncio

from services.gateway.auth import Role
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


JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 1024
MIB = 1024 * 1024


async def handed(api: Api, **body: Any) -> dict[str, Any]:
    """A package handed out today in a fresh round of the first desa."""
    await api.procure(packages=2)
    round_id = (await api.open_round())["round_id"]
    household = await api.register()
    sent = {"household_id": household["household_id"], "distributed_on": today().isoformat()}
    resp = await api.post(f"/rounds/{round_id}/packages", sent | body)
    return assert_write(resp, "package_id", "value_idr", "bast_no", status=201) | {
        "round_id": round_id,
        "household_id": household["household_id"],
    }


def upload(data: bytes, name: str = "bukti.jpg", kind: str = "image/jpeg") -> dict[str, Any]:
    return {"files": {"file": (name, data, kind)}}


async def test_a_hand_out_answers_its_bast_number_and_the_package_shows_who_received(
    api: Api,
) -> None:
    named = {"received_by": {"name": "Rahmat Hidayat", "relation": "WAKIL"}}
    package = await handed(api, **named)
    year = today().year
    assert package["bast_no"] == f"BAST/{api.kec}/{year}/1"
    got = await api.get(f"/packages/{package['package_id']}?wait_for={package['position']}")
    assert got.status_code == 200, got.text
    assert got.json() == {
        "package_id": package["package_id"],
        "household_id": package["household_id"],
        "round_id": package["round_id"],
        "distributed_on": today().isoformat(),
        "value_idr": 100_000,
        "bast_no": package["bast_no"],
        "received_by": {"name_masked": "R***** H******", "relation": "WAKIL"},
        "evidence": [],
    }
    assert "Rahmat" not in got.text
    assert_error(await api.get(f"/packages/{UNKNOWN}"), 404, "NOT_FOUND")


async def test_the_head_receives_by_default_and_others_must_be_named(
    api: Api, system: System
) -> None:
    await api.procure(packages=3)
    round_id = (await api.open_round())["round_id"]
    head, other = (await api.register())["household_id"], (await api.register())["household_id"]
    first = assert_write(await api.hand_out(round_id, head), "bast_no", status=201)
    got = (await api.get(f"/packages/{first['package_id']}?wait_for={first['position']}")).json()
    assert got["received_by"]["relation"] == "SENDIRI"
    assert got["received_by"]["name_masked"]  # the head's masked name
    count = await log_count(system, api.kab, api.kec)
    body = {"household_id": other, "distributed_on": today().isoformat()}
    unnamed = body | {"received_by": {"relation": "KELUARGA"}}
    resp = await api.post(f"/rounds/{round_id}/packages", unnamed)
    assert_error(resp, 422, "INVALID", "received_by.name")
    wrong = body | {"received_by": {"name": "Siti", "relation": "TETANGGA"}}
    resp = await api.post(f"/rounds/{round_id}/packages", wrong)
    assert_error(resp, 422, "INVALID", "received_by.relation")
    assert await log_count(system, api.kab, api.kec) == count
    second = assert_write(
        await api.post(f"/rounds/{round_id}/packages", body), "bast_no", status=201
    )
    assert second["bast_no"] == f"BAST/{api.kec}/{today().year}/2"


async def test_a_hand_out_dated_tomorrow_in_jakarta_is_refused(api: Api, system: System) -> None:
    await api.procure(packages=1)
    tomorrow = today() + timedelta(days=1)
    body = {"desa": api.desa[0], "month": tomorrow.isoformat()[:7], "quota": 2}
    round_id = assert_write(await api.post("/rounds", body), "round_id", status=201)["round_id"]
    household = await api.register()
    count = await log_count(system, api.kab, api.kec)
    sent = {"household_id": household["household_id"], "distributed_on": tomorrow.isoformat()}
    resp = await api.post(f"/rounds/{round_id}/packages", sent)
    assert_error(resp, 422, "INVALID", "distributed_on")
    assert await log_count(system, api.kab, api.kec) == count


async def test_evidence_is_uploaded_as_multipart_and_listed_with_its_sha256(api: Api) -> None:
    package = await handed(api)
    path = f"/packages/{package['package_id']}/evidence"
    resp = await api.client.post(api.url(path), **upload(JPEG))
    body = assert_write(resp, "evidence_id", "sha256", status=201)
    assert body["sha256"] == hashlib.sha256(JPEG).hexdigest()
    again = await api.client.post(api.url(path), **upload(JPEG, "lagi.jpg"))
    assert assert_write(again, status=200)["evidence_id"] == body["evidence_id"]
    pdf = b"%PDF-1.4\n" + bytes(100)
    second = assert_write(
        await api.client.post(api.url(path), **upload(pdf, "bast.pdf", "application/pdf")),
        status=201,
    )
    got = await api.get(f"/packages/{package['package_id']}?wait_for={second['position']}")
    assert got.json()["evidence"] == [
        {"evidence_id": body["evidence_id"], "sha256": body["sha256"]},
        {"evidence_id": second["evidence_id"], "sha256": hashlib.sha256(pdf).hexdigest()},
    ]


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"GIF89a" + bytes(100), "image/jpeg"),  # the declared type proves nothing
        (b"", "image/png"),
        (b"\x89PNG\r\n\x1a\n" + bytes(5 * MIB), "image/png"),  # past 5 MiB
        (b"\xff\xd8\xff" + bytes(7 * MIB), "image/jpeg"),  # past what the gateway reads
    ],
)
async def test_evidence_of_another_type_or_size_is_422_file(
    api: Api, system: System, data: bytes, kind: str
) -> None:
    package = await handed(api)
    count = await log_count(system, api.kab, api.kec)
    path = api.url(f"/packages/{package['package_id']}/evidence")
    assert_error(await api.client.post(path, **upload(data, kind=kind)), 422, "INVALID", "file")
    assert await log_count(system, api.kab, api.kec) == count


async def test_evidence_needs_a_file_and_a_known_package(api: Api, system: System) -> None:
    package = await handed(api)
    count = await log_count(system, api.kab, api.kec)
    path = api.url(f"/packages/{package['package_id']}/evidence")
    assert_error(await api.client.post(path, data={"x": "y"}), 422, "INVALID", "file")
    unknown = api.url(f"/packages/{UNKNOWN}/evidence")
    assert_error(await api.client.post(unknown, **upload(JPEG)), 404, "NOT_FOUND")
    async with api.as_role(Role.AUDITOR) as auditor:
        assert (await auditor.post(path, **upload(JPEG))).status_code == 403
    assert await log_count(system, api.kab, api.kec) == count


async def test_stock_adjustments_and_the_stock(api: Api, system: System) -> None:
    await api.procure(packages=3)
    lost = {"packages": -2, "reason": "Rusak terkena banjir", "adjusted_on": today().isoformat()}
    async with api.as_role(Role.BENDAHARA, kab=api.kab, kec=api.kec) as bendahara:
        resp = await bendahara.post(api.url("/stock/adjustments"), json=lost)
    adjusted = assert_write(resp, "adjustment_id", status=201)
    count = await log_count(system, api.kab, api.kec)
    too_many = await api.post("/stock/adjustments", lost)
    assert_error(too_many, 409, "NO_STOCK")
    for bad, field_name in (
        ({"packages": 0}, "packages"),
        ({"packages": 1.5}, "packages"),
        ({"reason": ""}, "reason"),
        ({"adjusted_on": (today() + timedelta(days=1)).isoformat()}, "adjusted_on"),
    ):
        assert_error(await api.post("/stock/adjustments", lost | bad), 422, "INVALID", field_name)
    desa = api.desa[0].replace(".", "")
    async with api.as_role(Role.OPERATOR, kab=api.kab, kec=api.kec, desa=desa) as operator:
        assert (await operator.post(api.url("/stock/adjustments"), json=lost)).status_code == 403
    assert await log_count(system, api.kab, api.kec) == count
    stock = await api.get(f"/stock?wait_for={adjusted['position']}")
    assert stock.json() == {"procured": 3, "distributed": 0, "adjusted": -2, "in_stock": 1}
    round_id = (await api.open_round())["round_id"]
    first, second = (await api.register())["household_id"], (await api.register())["household_id"]
    assert_write(await api.hand_out(round_id, first), status=201)
    assert_error(await api.hand_out(round_id, second), 409, "NO_STOCK")


async def test_an_evidence_upload_repeated_with_its_key_answers_its_first_answer(
    api: Api, system: System
) -> None:
    package = await handed(api)
    path = api.url(f"/packages/{package['package_id']}/evidence")
    key = {"Idempotency-Key": f"bukti-{package['package_id']}"}
    first = await api.client.post(path, headers=key, **upload(JPEG))
    count = await log_count(system, api.kab, api.kec)
    again = await api.client.post(path, headers=key, **upload(JPEG, "nama-lain.jpg"))
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    other = await api.client.post(path, headers=key, **upload(JPEG + b"\0"))
    assert_error(other, 422, "IDEMPOTENCY_KEY_REUSED")
    assert await log_count(system, api.kab, api.kec) == count


async def test_an_evidence_file_of_exactly_5_mib_is_kept(api: Api) -> None:
    package = await handed(api)
    largest = (b"\xff\xd8\xff\xe0" + bytes(range(256)) * (5 * 4096))[: 5 * MIB]
    path = api.url(f"/packages/{package['package_id']}/evidence")
    body = assert_write(await api.client.post(path, **upload(largest)), "sha256", status=201)
    assert body["sha256"] == hashlib.sha256(largest).hexdigest()
