"""HTTP contract conventions: Idempotency-Key, wait_for, 404 before set-up, health, documents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.e2e.conftest import System
from tests.e2e.test_api_support import (
    UNITS,
    Api,
    assert_error,
    healthy,
    household_body,
    log_count,
    log_head,
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


async def test_a_write_answers_the_log_position_it_reached(api: Api, system: System) -> None:
    configured = await api.configure()
    assert configured["position"] <= await log_head(system, api.kab)
    donated = await api.donate(10_000)
    assert donated["position"] == await log_head(system, api.kab)
    assert donated["position"] > configured["position"]


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


async def test_a_path_not_in_the_contract_answers_404_in_the_error_shape(api: Api) -> None:
    await api.configure()
    for method, path in (("GET", "/nothing/here"), ("DELETE", "/fund"), ("PATCH", "")):
        resp = await api.client.request(method, api.url(path))
        assert_error(resp, 404, "NOT_FOUND")
    async with api.system.client() as anonymous:
        assert_error(await anonymous.get(api.url("/nothing")), 401, "UNAUTHORIZED")


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
    resp = await healthy(system)
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
    assert set(paths[f"{base}/households/import"]["post"]["requestBody"]["content"]) == {
        "text/csv",
        "multipart/form-data",
    }
    headers = [p["name"] for p in paths[f"{base}/donations"]["post"]["parameters"]]
    assert "Idempotency-Key" in headers
    assert "$defs" not in str(paths[base]["put"])
    schemes = resp.json()["components"]["securitySchemes"].values()
    assert [s["scheme"] for s in schemes] == ["bearer"]


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
