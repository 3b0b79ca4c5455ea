"""Bad input answers 422 naming the field, unknown things 404; nothing is appended."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from nats.aio.client import Client as NATS

from services.integrity.deps import KEY_SCHEMA
from shared.clock import jakarta_today
from shared.runtime import Runtime
from tests.integration.integrity.conftest import (
    OFFICE,
    act,
    call,
    configure,
    finding,
    record,
)

pytestmark = pytest.mark.integration

RPCS: list[tuple[str, dict[str, Any]]] = [
    ("finding_record", {"body": finding(OFFICE, "2023-01-10")}),
    ("finding_follow_up", {"params": {"id": str(uuid.uuid4())}, "body": {"action": "x"}}),
    ("finding_resolve", {"params": {"id": str(uuid.uuid4())}, "body": {"action": "x"}}),
    ("finding_dismiss", {"params": {"id": str(uuid.uuid4())}, "body": {"reason": "x"}}),
    ("findings_summary", {}),
    ("summary", {"params": {"year": 2023}}),
    ("trend", {"params": {"year": 2023}}),
    ("findings_by_unit", {}),
    ("open_findings", {}),
    ("visits", {"params": {"year": 2023}}),
]


async def keys_of(service: Runtime, kec: str) -> int:
    schema = KEY_SCHEMA
    exists = await service.pool.fetchval("select to_regclass($1)", f"{schema}.data_keys")
    if exists is None:
        return 0
    return int(
        await service.pool.fetchval(
            f"select count(*) from {schema}.data_keys where key_id like $1", f"finding:{kec}:%"
        )
    )


async def test_a_kecamatan_never_configured_answers_not_found_on_every_rpc(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    for name, kw in RPCS:
        reply = await call(nc, name, kab, kec, **kw)
        assert reply.status == 404, name
        assert reply.error is not None
        assert reply.error["code"] == "NOT_FOUND"
    assert not await service.store.has_stream(kab) or await service.store.last_seq(kab) == 0


async def test_bad_input_is_refused_naming_the_field_and_appends_nothing(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    codes = await configure(nc, kab, kec)
    head = await service.store.last_seq(kab)
    tomorrow = (jakarta_today() + timedelta(days=1)).isoformat()
    cases = [
        (finding("Kantor Bupati", "2023-01-10"), "unit"),
        (finding("35.20.99.2004", "2023-01-10"), "unit"),
        (finding(OFFICE, "2023-01-10", category="PUNGLI"), "category"),
        (finding(OFFICE, "2023-01-10", severity="sedang"), "severity"),
        (finding(OFFICE, "2023-01-10", source="MEDIA_SOSIAL"), "source"),
        (finding(OFFICE, tomorrow), "found_on"),
        (finding(OFFICE, "10/01/2023"), "found_on"),
        (finding(OFFICE, "2023-01-10", description=""), "description"),
        (finding(OFFICE, "2023-01-10", official="Budi\nSantoso"), "official"),
        (finding(OFFICE, "2023-01-10", subject_type="LURAH"), "subject_type"),
        (finding(OFFICE, tomorrow, official="Budi Santoso"), "found_on"),
        (finding(codes[0], "2023-01-10", source="SERASA_DESA", visit_id="nope"), "visit_id"),
        ({k: v for k, v in finding(OFFICE, "2023-01-10").items() if k != "unit"}, "unit"),
        ([finding(OFFICE, "2023-01-10")], "body"),
    ]
    for body, field in cases:
        reply = await call(nc, "finding_record", kab, kec, body=body)
        assert reply.status == 422, (field, reply)
        assert reply.error is not None
        assert reply.error["field"] == field
        assert reply.error["message"]
        assert reply.error["message_en"]
    assert await service.store.last_seq(kab) == head
    assert await keys_of(service, kec) == 0

    today = jakarta_today().isoformat()
    assert await record(nc, kab, kec, finding(OFFICE, today))
    assert await keys_of(service, kec) == 1


async def test_an_unknown_finding_answers_not_found(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    await configure(nc, kab, kec)
    elsewhere = f"{kab}{int(kec[-2:]) % 89 + 10}"
    await configure(nc, kab, elsewhere)
    other = await record(nc, kab, elsewhere, finding(OFFICE, "2023-01-10"))
    head = await service.store.last_seq(kab)
    for finding_id in (str(uuid.uuid4()), "bukan-id", other):
        reply = await act(nc, kab, kec, "finding_resolve", finding_id, action="x")
        assert reply.status == 404, finding_id
        assert reply.error is not None
        assert reply.error["code"] == "NOT_FOUND"
    bad_body = await act(nc, kab, kec, "finding_dismiss", other, reason="")
    assert bad_body.status == 404
    assert await service.store.last_seq(kab) == head


async def test_bad_query_parameters_are_refused_naming_them(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    await configure(nc, kab, kec)
    for name, params, field in (
        ("summary", {"year": "dua ribu"}, "year"),
        ("visits", {"year": 99999}, "year"),
        ("open_findings", {"overdue_days": 0}, "overdue_days"),
    ):
        reply = await call(nc, name, kab, kec, params=params)
        assert reply.status == 422, name
        assert reply.error is not None
        assert reply.error["field"] == field
