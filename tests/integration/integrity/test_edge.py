"""The kit's edge for findings: the path judged before the body, keys made only for findings
that exist, and a retried record answering its first answer after the rules changed."""

from __future__ import annotations

import uuid

import pytest
from nats.aio.client import Client as NATS

from services.integrity.deps import KEY_SCHEMA
from shared.events.scheduler import KecamatanConfigured, kecamatan_ref
from shared.runtime import Runtime
from shared.tenancy import Tenant
from tests.integration.integrity.conftest import OFFICE, act, append, call, configure, finding

pytestmark = pytest.mark.integration


async def keys_made(service: Runtime, kec: str) -> int:
    schema = KEY_SCHEMA
    if await service.pool.fetchval("select to_regclass($1)", f"{schema}.data_keys") is None:
        return 0
    return int(
        await service.pool.fetchval(
            f"select count(*) from {schema}.data_keys where key_id like $1", f"finding:{kec}:%"
        )
    )


async def test_an_unknown_finding_is_404_whatever_the_body_and_makes_no_key(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    await configure(nc, kab, kec)
    unknown = str(uuid.uuid4())
    for body in ({"action": "Selesai"}, {"action": ""}, {}):
        reply = await act(nc, kab, kec, "finding_resolve", unknown, **body)
        assert (reply.status, reply.error and reply.error["code"]) == (404, "NOT_FOUND"), body
    listed = await call(nc, "finding_follow_up", kab, kec, params={"id": unknown}, body=[1])
    assert listed.status == 404
    assert await keys_made(service, kec) == 0


async def test_a_known_finding_with_a_bad_body_is_refused_naming_the_field(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    await configure(nc, kab, kec)
    recorded = await call(nc, "finding_record", kab, kec, body=finding(OFFICE, "2023-01-10"))
    finding_id = recorded.data["finding_id"]
    head = await service.store.last_seq(kab)
    for name, body, field in (
        ("finding_follow_up", {"sanction": "TEGURAN_LISAN"}, "action"),
        ("finding_resolve", {"action": " "}, "action"),
        ("finding_dismiss", {"reason": "x", "nama": "Budi"}, "nama"),
        ("finding_dismiss", ["x"], "body"),
    ):
        reply = await call(nc, name, kab, kec, params={"id": finding_id}, body=body)
        assert (reply.status, reply.error and reply.error["field"]) == (422, field), name
    assert await service.store.last_seq(kab) == head
    followed = await act(nc, kab, kec, "finding_follow_up", finding_id, action="Teguran")
    assert (followed.status, followed.data) == (200, {"finding_id": finding_id})
    assert followed.position == head + 1


async def test_a_retried_record_answers_its_first_answer_after_its_unit_was_removed(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    await configure(nc, kab, kec)
    body = finding(OFFICE, "2023-01-10")
    first = await call(nc, "finding_record", kab, kec, body=body, command_id="temuan-x")
    assert first.status == 201
    tenant = Tenant(kab, kec)
    without = KecamatanConfigured(kecamatan=tenant.kec_dotted, name="Kawedanan", desa=[], units=[])
    await append(nc, kecamatan_ref(tenant), without)
    again = await call(nc, "finding_record", kab, kec, body=body, command_id="temuan-x")
    assert (again.status, again.data, again.position) == (201, first.data, first.position)
    fresh = await call(nc, "finding_record", kab, kec, body=body)
    assert (fresh.status, fresh.error and fresh.error["field"]) == (422, "unit")
