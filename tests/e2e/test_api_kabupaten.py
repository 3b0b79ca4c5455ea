"""HTTP contract: the kabupaten view, every kecamatan that was PUT beside the others, each
figure as its own `/summary` counts it, the totals their sums; only for kabupaten-wide tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from services.gateway.auth import Role
from shared.tenancy import dot
from tests.e2e import conftest
from tests.e2e.conftest import System
from tests.e2e.test_api_summary import (
    findings_up_to_2025,
    fund_of_2024,
    packages_of_2024,
    rota_of_may_2024,
)
from tests.e2e.test_api_support import Api, assert_error, new_api

pytestmark = pytest.mark.e2e

FIGURES = (
    "activities_scheduled",
    "activities_held",
    "donations_idr",
    "spent_idr",
    "packages_distributed",
    "households_reached",
    "findings",
)


def two_of_one_kabupaten() -> tuple[tuple[str, str], tuple[str, str]]:
    """Two fresh kecamatan of the same kabupaten, drawn from the e2e pool."""
    seen: dict[str, str] = {}
    for kec in conftest._KECAMATAN:
        if kec[:4] in seen:
            first, second = sorted((seen[kec[:4]], kec))
            return (kec[:4], first), (kec[:4], second)
        seen[kec[:4]] = kec
    raise AssertionError("the e2e pool ran out of kecamatan")


@pytest_asyncio.fixture
async def pair(system: System) -> AsyncIterator[tuple[Api, Api]]:
    """Two configured kecamatan of one kabupaten: the first with a year of everything."""
    busy, quiet = (new_api(system, tenant) for tenant in two_of_one_kabupaten())
    async with busy.client, quiet.client:
        await busy.configure()
        await quiet.configure(n_desa=2)
        yield busy, quiet


def row_of(summary: dict[str, Any], year: int) -> dict[str, int]:
    """One kecamatan's `/summary` as the kabupaten view counts it."""
    activities = summary["activities"]
    return {
        "activities_scheduled": sum(activities["scheduled"].values()),
        "activities_held": sum(activities["held"].values()),
        "donations_idr": summary["donations_idr"],
        "spent_idr": summary["spent_idr"],
        "packages_distributed": summary["packages_distributed"],
        "households_reached": summary["households_reached"],
        "findings": summary["findings_by_year"].get(str(year), 0),
    }


async def kabupaten(client: httpx.AsyncClient, kab: str, **params: Any) -> httpx.Response:
    return await client.get(f"/api/v1/{kab}/summary", params=params)


async def test_every_kecamatan_counts_as_its_own_summary(
    system: System, pair: tuple[Api, Api]
) -> None:
    busy, quiet = pair
    await rota_of_may_2024(busy)
    await fund_of_2024(busy)
    await packages_of_2024(busy)
    last = await findings_up_to_2025(busy)
    resp = await kabupaten(busy.client, busy.kab, year=2024, wait_for=last)
    assert resp.status_code == 200, resp.text
    view = resp.json()
    assert view["year"] == 2024
    codes = [row["code"] for row in view["kecamatan"]]
    assert codes == sorted(codes)
    rows = {row["code"]: row for row in view["kecamatan"]}
    assert rows[dot(busy.kec)] == {
        "code": dot(busy.kec),
        "name": "Kecamatan Uji",
        "activities_scheduled": 8,
        "activities_held": 1,
        "donations_idr": 1_000_000,
        "spent_idr": 300_000,
        "packages_distributed": 3,
        "households_reached": 2,
        "findings": 1,
    }
    assert {k: rows[dot(quiet.kec)][k] for k in FIGURES} == dict.fromkeys(FIGURES, 0)
    for code, row in rows.items():
        own = await busy.client.get(
            f"/api/v1/{busy.kab}/{code.replace('.', '')}/summary", params={"year": 2024}
        )
        assert own.status_code == 200, own.text
        assert {k: row[k] for k in FIGURES} == row_of(own.json(), 2024), code
    assert view["totals"] == {k: sum(row[k] for row in rows.values()) for k in FIGURES}


async def test_only_kabupaten_wide_tokens_see_it(system: System, pair: tuple[Api, Api]) -> None:
    busy, _ = pair
    allowed = (
        system.token(Role.ADMIN),
        system.token(Role.ADMIN, kab=busy.kab),
        system.token(Role.AUDITOR, kab=busy.kab),
    )
    for token in allowed:
        async with system.client(token) as client:
            assert (await kabupaten(client, busy.kab, year=2024)).status_code == 200
    confined = (
        system.token(Role.CAMAT, kab=busy.kab, kec=busy.kec),
        system.token(Role.AUDITOR, kab=busy.kab, kec=busy.kec),
        system.token(Role.OPERATOR, kab=busy.kab, kec=busy.kec, desa=busy.desa[0]),
        system.token(Role.ADMIN, kab="9999"),
    )
    for token in confined:
        async with system.client(token) as client:
            assert_error(await kabupaten(client, busy.kab, year=2024), 403, "FORBIDDEN")
    async with system.client() as anonymous:
        assert (await kabupaten(anonymous, busy.kab, year=2024)).status_code == 401


@pytest.mark.parametrize("year", ["", "dua ribu", "1999", "2101", "2024.0"])
async def test_the_kabupaten_view_needs_a_year(pair: tuple[Api, Api], year: str) -> None:
    busy, _ = pair
    assert_error(await kabupaten(busy.client, busy.kab, year=year), 422, "INVALID", "year")


async def test_a_kabupaten_code_of_another_shape_is_not_found(pair: tuple[Api, Api]) -> None:
    busy, _ = pair
    assert_error(await kabupaten(busy.client, "35x0", year=2024), 404, "NOT_FOUND")


async def test_the_openapi_document_has_the_kabupaten_view(system: System) -> None:
    async with system.client() as client:
        doc = (await client.get("/openapi.json")).json()
    operation = doc["paths"]["/api/v1/{kab}/summary"]["get"]
    assert operation["operationId"] == "getKabupatenSummary"
    names = [p["name"] for p in operation["parameters"]]
    assert "kec" not in names
    assert {"kab", "year", "wait_for"} <= set(names)
    assert "KabupatenSummary" in doc["components"]["schemas"]
