"""HTTP contract: Idempotency-Key, a repeat answers exactly the first answer, appends nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.e2e.conftest import System
from tests.e2e.test_api_support import (
    UNITS,
    Api,
    assert_error,
    household_body,
    kecamatan_body,
    log_count,
    today,
)

pytestmark = pytest.mark.e2e


def donation(amount: int = 100_000) -> dict[str, Any]:
    return {"unit": UNITS[0], "amount_idr": amount, "received_on": today().isoformat()}


def procurement(packages: int) -> dict[str, Any]:
    return {
        "packages": packages,
        "unit_price_idr": 100_000,
        "purchased_on": today().isoformat(),
        "supplier": "Toko Sembako Makmur",
    }


async def test_a_repeated_key_answers_the_first_answer_and_appends_nothing(
    api: Api, system: System
) -> None:
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
    key = {"Idempotency-Key": "donasi-3"}
    assert (await api.post("/donations", donation(100_000), headers=key)).status_code == 201
    count = await log_count(system, api.kab, api.kec)
    reused = await api.post("/donations", donation(200_000), headers=key)
    assert_error(reused, 422, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key")
    assert await log_count(system, api.kab, api.kec) == count


async def test_the_same_body_spelled_differently_is_a_repeat(api: Api, system: System) -> None:
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
    count = await log_count(system, api.kab, api.kec)
    key = {"Idempotency-Key": "serentak"}
    answers = await asyncio.gather(
        *(api.post("/donations", donation(90_000), headers=key) for _ in range(6))
    )
    assert {(a.status_code, a.text) for a in answers} == {(201, answers[0].text)}
    assert await log_count(system, api.kab, api.kec) == count + 1


async def test_a_key_is_scoped_to_kecamatan_method_and_path(api: Api) -> None:
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
