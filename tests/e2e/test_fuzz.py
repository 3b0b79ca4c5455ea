"""Property-based fuzzing of the API from its own OpenAPI document: no answer is a 5xx."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from services.gateway.auth import Role
from tests.e2e.conftest import System
from tests.e2e.test_api_support import (
    UNITS,
    Api,
    healthy,
    log_count,
    new_api,
    this_month,
    today,
)

pytestmark = pytest.mark.e2e

EXAMPLES_PER_OPERATION = 12


@dataclass
class Target:
    """Where and as whom the fuzzer calls, and the ids worth reaching past a 404."""

    base_url: str
    headers: dict[str, str]
    kab: str
    kec: str
    known: dict[str, list[Any]]
    failures: list[str] = field(default_factory=list)
    calls: int = 0


async def seeded(api: Api) -> dict[str, list[Any]]:
    """A kecamatan with one of everything, and the values that reach it."""
    await api.configure()
    activity = (await api.post("/schedule", {"year": 2024, "month": 3})).json()["activities"][0]
    donation = await api.donate(5_000_000)
    await api.procure(packages=10)
    household = await api.register()
    round_id = (await api.open_round())["round_id"]
    finding = await api.post(
        "/findings",
        {
            "unit": api.desa[0],
            "category": "ETIKA",
            "severity": "RINGAN",
            "found_on": str(today()),
            "source": "SERASA_DESA",
            "description": "Perangkat desa datang terlambat",
        },
    )
    package = (await api.hand_out(round_id, household["household_id"])).json()["package_id"]
    ids = [activity["id"], donation["donation_id"], household["household_id"], round_id, package]
    return {
        "id": [*ids, finding.json()["finding_id"], "0190a3f4-0000-7000-8000-0000000000ee"],
        "household_id": [household["household_id"]],
        "unit": [*UNITS, *api.desa],
        "desa": api.desa,
        "month": [this_month()],
        "date": [str(today() - timedelta(days=n)) for n in (0, 1, 6)],
    }


def prepared(doc: dict[str, Any], known: dict[str, list[Any]]) -> dict[str, Any]:
    """The served document without `wait_for` (its 503 is the contract's), and with the
    values this kecamatan knows (ids, units, desa, recent dates) as what positive cases use,
    so that they reach the rules behind the shape checks."""
    doc = copy.deepcopy(doc)
    for item in doc["paths"].values():
        for operation in item.values():
            params = [p for p in operation.get("parameters", []) if p["name"] != "wait_for"]
            for param in params:
                if param["name"] == "id":
                    param["schema"] = {"type": "string", "enum": known["id"]}
            operation["parameters"] = params
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                narrowed(body["schema"], known)
    return doc


def narrowed(schema: Any, known: dict[str, list[Any]]) -> None:
    if isinstance(schema, list):
        for item in schema:
            narrowed(item, known)
    if not isinstance(schema, dict):
        return
    for name, prop in schema.get("properties", {}).items():
        values = known["date"] if prop.get("format") == "date" else known.get(name)
        if values is not None and prop.get("type") == "string":
            schema["properties"][name] = {"type": "string", "enum": values}
    for value in schema.values():
        narrowed(value, known)


def fuzz_operation(operation: Any, mode: schemathesis.GenerationMode, target: Target) -> None:
    strategy = operation.as_strategy(mode, path_parameters={"kab": target.kab, "kec": target.kec})

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def calls(case: Any) -> None:
        response = case.call(base_url=target.base_url, headers=target.headers, timeout=30)
        target.calls += 1
        if response.status_code >= 500:
            target.failures.append(
                f"{case.method} {case.formatted_path} {mode.value} -> {response.status_code}"
                f" {response.text[:300]} | query={case.query} body={str(case.body)[:300]}"
            )

    calls()


def fuzz(doc: dict[str, Any], target: Target) -> None:
    schema = schemathesis.openapi.from_dict(prepared(doc, target.known))
    results: list[Any] = list(schema.get_all_operations())
    operations = [r.ok() for r in results]
    operations.sort(key=lambda op: op.method.upper() == "PUT")
    for operation in operations:
        if not operation.path.startswith("/api/"):
            continue
        fuzz_operation(operation, schemathesis.GenerationMode.POSITIVE, target)
        with contextlib.suppress(Unsatisfiable):
            fuzz_operation(operation, schemathesis.GenerationMode.NEGATIVE, target)


async def test_fuzzing_the_api_from_its_openapi_finds_no_server_error(
    system: System, tenant: tuple[str, str]
) -> None:
    api = new_api(system, tenant)
    async with api.client:
        known = await seeded(api)
        doc = (await api.client.get("/openapi.json")).json()
        token = system.token(Role.ADMIN)
        target = Target(system.base_url, {"Authorization": f"Bearer {token}"}, *tenant, known)
        started = time.monotonic()
        await asyncio.to_thread(fuzz, doc, target)
        assert target.failures == []
        assert target.calls > 300
        assert time.monotonic() - started < 120
        assert await log_count(system, api.kab, api.kec) > 0
        health = await healthy(system)
        assert health.status_code == 200, health.text
