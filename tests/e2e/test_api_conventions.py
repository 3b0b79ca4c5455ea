"""HTTP contract conventions: Idempotency-Key, wait_for, 404 before set-up, health, documents."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.e2e.conftest import System
from tests.e2e.test_api_support import (
    UNITS,
    Api,
    assert_error,
    household_body,
    kecamatan_body,
    log_count,
    new_api,
    this_month,
    today,
)

pytestmark = pytest.mark.e2e

SOME_ID = "0190a3f4-0000-7000-8000-0000000000dd"


@pytest_asyncio.fixture
async def api(system: System, tenant: tuple[str, str]) -> AsyncIterator[Api]:
    api = new_api(system, tenant)
    async with api.client:
        yield api


def donation(amount: int = 100_000) -> dict[str, Any]:
    return {"unit": UNITS[0], "amount_idr": amount, "received_on": today().isoformat()}


def procurement(packages: int) -> dict[str, Any]:
    return {
        "packages": packages,
        "unit_price_idr": 100_000,
        "purchased_on": today().isoformat(),
        "supplier": "Toko Sembako Makmur",
    }


def every_path(kec: str) -> list[tuple[str, str, Any]]:
    """Each path of the contract with a well-formed body."""
    day = today().isoformat()
    return [
        ("GET", "", None),
        ("POST", "/schedule", {"year": 2024, "month": 5}),
        ("GET", "/activities?year=2024&month=5", None),
        (
            "POST",
            f"/activities/{SOME_ID}/held",
            {"held_on": day, "attendance": {"officials": 1, "residents": 1}},
        ),
        ("POST", f"/activities/{SOME_ID}/cancel", {"reason": "x"}),
        ("POST", "/donations", donation()),
        ("POST", f"/donations/{SOME_ID}/void", {"reason": "x"}),
        ("POST", "/procurements", procurement(1)),
        ("GET", "/fund", None),
        ("POST", "/households", household_body(kec, f"{kec[:2]}.{kec[2:4]}.{kec[4:]}.2001")),
        ("GET", f"/households/{SOME_ID}", None),
        ("POST", f"/households/{SOME_ID}/aid", {"aid": [], "as_of": day}),
        ("DELETE", f"/households/{SOME_ID}", None),
        ("POST", "/rounds", {"desa": "x", "month": this_month(), "quota": 1}),
        ("GET", f"/rounds/{SOME_ID}/suggestions", None),
        ("POST", f"/rounds/{SOME_ID}/packages", {"household_id": SOME_ID, "distributed_on": day}),
        ("POST", f"/rounds/{SOME_ID}/close", None),
        ("GET", f"/distribution?year={today().year}", None),
        (
            "POST",
            "/findings",
            {
                "unit": UNITS[0],
                "category": "ETIKA",
                "severity": "RINGAN",
                "found_on": day,
                "source": "INTERNAL",
                "description": "x",
            },
        ),
        ("POST", f"/findings/{SOME_ID}/follow-up", {"action": "x"}),
        ("POST", f"/findings/{SOME_ID}/resolve", {"action": "x"}),
        ("POST", f"/findings/{SOME_ID}/dismiss", {"reason": "x"}),
        ("GET", "/findings/summary", None),
        ("GET", f"/summary?year={today().year}", None),
    ]


async def test_a_kecamatan_never_put_answers_404_on_every_other_path(
    api: Api, system: System
) -> None:
    for method, path, body in every_path(api.kec):
        resp = await api.client.request(method, api.url(path), json=body)
        assert_error(resp, 404, "NOT_FOUND")
    csv = "no_kk,nik,name,desa,address,desil,registry,snapshot_date,aid\n"
    imported = await api.client.post(
        api.url("/households/import"), content=csv, headers={"content-type": "text/csv"}
    )
    assert_error(imported, 404, "NOT_FOUND")
    assert await log_count(system, api.kab, api.kec) == 0


async def test_a_repeated_key_answers_the_first_answer_and_appends_nothing(
    api: Api, system: System
) -> None:
    await api.configure()
    key = {"Idempotency-Key": "donasi-2024-001"}
    first = await api.post("/donations", donation(), headers=key)
    assert first.status_code == 201
    count = await log_count(system, api.kab, api.kec)
    again = await api.post("/donations", donation(), headers=key)
    assert (again.status_code, again.json()) == (201, first.json())
    assert await log_count(system, api.kab, api.kec) == count
    other = await api.post("/donations", donation(), headers={"Idempotency-Key": "donasi-002"})
    assert other.json()["receipt_no"] == first.json()["receipt_no"] + 1


async def test_a_repeated_key_answers_the_first_refusal_even_when_it_would_now_pass(
    api: Api, system: System
) -> None:
    await api.configure()
    key = {"Idempotency-Key": "beli-paket-01"}
    refused = await api.post("/procurements", procurement(2), headers=key)
    assert_error(refused, 409, "INSUFFICIENT_FUNDS")
    await api.donate(500_000)
    count = await log_count(system, api.kab, api.kec)
    again = await api.post("/procurements", procurement(2), headers=key)
    assert (again.status_code, again.json()) == (409, refused.json())
    assert await log_count(system, api.kab, api.kec) == count
    invalid = await api.post("/donations", donation(0), headers=key)
    assert_error(invalid, 422, "INVALID", "amount_idr")
    repeat = await api.post("/donations", donation(0), headers=key)
    assert (repeat.status_code, repeat.json()) == (422, invalid.json())


async def test_the_same_key_with_another_body_is_refused(api: Api, system: System) -> None:
    await api.configure()
    key = {"Idempotency-Key": "donasi-3"}
    assert (await api.post("/donations", donation(100_000), headers=key)).status_code == 201
    count = await log_count(system, api.kab, api.kec)
    reused = await api.post("/donations", donation(200_000), headers=key)
    assert_error(reused, 422, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key")
    assert await log_count(system, api.kab, api.kec) == count


async def test_the_same_body_spelled_differently_is_a_repeat(api: Api, system: System) -> None:
    await api.configure()
    key = {"Idempotency-Key": "donasi-urutan", "content-type": "application/json"}
    first = await api.client.post(
        api.url("/donations"),
        content=b'{"unit":"%s","amount_idr":70000,"received_on":"%s"}'
        % (UNITS[0].encode(), str(today()).encode()),
        headers=key,
    )
    assert first.status_code == 201, first.text
    count = await log_count(system, api.kab, api.kec)
    again = await api.client.post(
        api.url("/donations"),
        content=b'{ "received_on": "%s", "amount_idr": 70000, "unit": "%s" }'
        % (str(today()).encode(), UNITS[0].encode()),
        headers=key,
    )
    assert (again.status_code, again.json()) == (201, first.json())
    assert await log_count(system, api.kab, api.kec) == count


async def test_an_import_repeated_with_its_key_answers_the_first_answer(
    api: Api, system: System
) -> None:
    await api.configure()
    row = household_body(api.kec, api.desa[0])
    header = "no_kk,nik,name,desa,address,desil,registry,snapshot_date,aid"
    line = ",".join(str(row[c]) for c in header.split(",")[:-1]) + ","
    files = {"file": ("dtsen.csv", f"{header}\n{line}\n".encode(), "text/csv")}
    key = {"Idempotency-Key": "impor-januari"}
    first = await api.client.post(api.url("/households/import"), files=files, headers=key)
    assert first.status_code == 201, first.text
    assert first.json()["accepted"] == 1
    count = await log_count(system, api.kab, api.kec)
    again = await api.client.post(api.url("/households/import"), files=files, headers=key)
    assert (again.status_code, again.json()) == (201, first.json())
    assert await log_count(system, api.kab, api.kec) == count


async def test_concurrent_repeats_of_a_key_append_once(api: Api, system: System) -> None:
    await api.configure()
    count = await log_count(system, api.kab, api.kec)
    key = {"Idempotency-Key": "serentak"}
    answers = await asyncio.gather(
        *(api.post("/donations", donation(90_000), headers=key) for _ in range(6))
    )
    assert {(a.status_code, a.text) for a in answers} == {(201, answers[0].text)}
    assert await log_count(system, api.kab, api.kec) == count + 1


async def test_a_key_is_scoped_to_kecamatan_method_and_path(api: Api) -> None:
    await api.configure()
    key = {"Idempotency-Key": "sama"}
    donated = await api.post("/donations", donation(1_000_000), headers=key)
    bought = await api.post("/procurements", procurement(1), headers=key)
    assert bought.status_code == 201, bought.text
    assert "procurement_id" in bought.json()
    neighbour = Api(api.system, api.kab, f"{api.kab}00", api.client)
    await neighbour.put(kecamatan_body(neighbour.kec))
    elsewhere = await neighbour.post("/donations", donation(1_000_000), headers=key)
    assert elsewhere.status_code == 201
    assert elsewhere.json()["donation_id"] != donated.json()["donation_id"]


async def test_wait_for_reads_your_writes(api: Api) -> None:
    await api.configure()
    for amount in (10_000, 20_000, 30_000):
        written = await api.donate(amount)
    fund = await api.get("/fund", params={"wait_for": written["position"]})
    assert fund.status_code == 200
    assert fund.json()["donated_idr"] == 60_000


async def test_wait_for_a_position_never_reached_answers_503(api: Api) -> None:
    await api.configure()
    resp = await api.get("/fund", params={"wait_for": 10**12})
    assert_error(resp, 503, "NOT_CAUGHT_UP")


@pytest.mark.parametrize("value", ["abc", "-1", "1.5"])
async def test_wait_for_must_be_a_position(api: Api, value: str) -> None:
    await api.configure()
    assert_error(await api.get("/fund", params={"wait_for": value}), 422, "INVALID", "wait_for")


async def test_wait_for_on_an_import_must_be_a_position(api: Api) -> None:
    await api.configure()
    resp = await api.client.post(
        api.url("/households/import"),
        params={"wait_for": "\u00b2"},
        content=b"no_kk\n",
        headers={"content-type": "text/csv"},
    )
    assert_error(resp, 422, "INVALID", "wait_for")


@pytest.mark.parametrize("kab", ["\u0663\u0665\u0662\u0660", "35-2"])
async def test_region_codes_are_ascii_digits(api: Api, kab: str) -> None:
    assert_error(await api.client.get(f"/api/v1/{kab}/{kab}01/fund"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"\xff\xfe{}",
        b'{"amount_idr": 1' + b"0" * 5000 + b"}",
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
async def test_a_body_that_is_not_json_is_refused(api: Api, system: System, raw: bytes) -> None:
    await api.configure()
    count = await log_count(system, api.kab, api.kec)
    resp = await api.client.post(
        api.url("/donations"), content=raw, headers={"content-type": "application/json"}
    )
    assert_error(resp, 422, "INVALID", "body")
    assert await log_count(system, api.kab, api.kec) == count


async def test_health_is_200_when_every_service_is_up_and_caught_up(system: System) -> None:
    async with system.client() as client:
        resp = await client.get("/health")
    assert resp.status_code == 200, resp.text
    services = resp.json()["services"]
    assert set(services) == {"scheduler", "donations", "distribution", "integrity"}
    assert all(s["pending"] == 0 for s in services.values())


async def test_the_openapi_document_is_served_with_every_path(system: System) -> None:
    async with system.client() as client:
        resp = await client.get("/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    base = "/api/v1/{kab}/{kec}"
    for method, path, _ in every_path("352005"):
        template = path.split("?")[0].replace(SOME_ID, "{id}")
        assert method.lower() in paths[f"{base}{template}"], template
    assert "post" in paths[f"{base}/households/import"]
    assert "put" in paths[base]


async def test_the_asyncapi_document_has_a_message_per_event(system: System) -> None:
    async with system.client() as client:
        resp = await client.get("/asyncapi.json")
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["asyncapi"].startswith("3.")
    expected = {
        "KecamatanConfigured",
        "ActivityScheduled",
        "ActivityHeld",
        "DonationReceived",
        "DonationVoided",
        "PackagesProcured",
        "HouseholdRegistered",
        "PackageDistributed",
        "RoundOpened",
        "FindingRecorded",
        "FindingDismissed",
    }
    assert expected <= set(doc["channels"])
    schemas = doc["components"]["schemas"]
    received = schemas["DonationReceivedEnvelope"]
    assert received["properties"]["type"]["const"] == "DonationReceived"
    payload = received["properties"]["payload"]["$ref"].rsplit("/", 1)[-1]
    assert {"amount_idr", "receipt_no", "received_on"} <= set(schemas[payload]["properties"])
    assert doc["channels"]["HouseholdRegistered"]["address"].startswith("smart.{kab}.{kec}.")
    registered = schemas["HouseholdRegistered"]["properties"]
    assert "nik" not in registered
    assert "name" not in registered
