"""The kecamatan's set-up over request-reply: 404 before it exists, 201 then 200, 422."""

from __future__ import annotations

import pytest

from shared.runtime import Runtime
from shared.tenancy import dot
from tests.integration.scheduler.conftest import call, kecamatan_body

pytestmark = pytest.mark.integration

EVERY_OTHER_RPC = [
    ("kecamatan_get", {}, None),
    ("schedule", {}, {"year": 2023, "month": 4}),
    ("activities", {"year": 2023, "month": 4}, None),
    (
        "activity_held",
        {"id": "x"},
        {"held_on": "2023-04-06", "attendance": {"officials": 1, "residents": 1}},
    ),
    ("activity_cancel", {"id": "x"}, {"reason": "hujan"}),
    ("activity_reschedule", {"id": "x"}, {"date": "2023-04-05"}),
    ("summary", {"year": 2023}, None),
    ("execution_rate", {"year": 2023}, None),
    ("attendance", {"year": 2023}, None),
    ("rotation", {}, None),
]


async def test_a_kecamatan_never_configured_is_not_found_everywhere(
    service: Runtime, nc, kab: str, kec: str
) -> None:
    for name, params, body in EVERY_OTHER_RPC:
        reply = await call(nc, name, kab, kec, params=params, body=body)
        assert reply.status == 404, name
        assert reply.error is not None
        assert reply.error["code"] == "NOT_FOUND", name


async def test_put_creates_then_updates_and_get_answers_the_set_up(
    service: Runtime, nc, kab: str, kec: str
) -> None:
    body = kecamatan_body(kec, 3)
    first = await call(nc, "kecamatan_put", kab, kec, body=body)
    assert (first.status, first.data) == (201, {"code": dot(kec), **body})
    same = await call(nc, "kecamatan_put", kab, kec, body=body)
    assert (same.status, same.position) == (200, first.position)
    changed = {**body, "desa": list(reversed(body["desa"])), "units": ["Kantor", "Pemdes"]}
    update = await call(nc, "kecamatan_put", kab, kec, body=changed)
    assert update.status == 200
    assert update.position is not None
    assert first.position is not None
    assert update.position > first.position
    got = await call(nc, "kecamatan_get", kab, kec, wait_for=update.position)
    assert got.data == {"code": dot(kec), **changed}


async def test_bad_set_up_names_the_field_and_appends_nothing(
    service: Runtime, nc, kab: str, kec: str
) -> None:
    body = kecamatan_body(kec, 2)
    await call(nc, "kecamatan_put", kab, kec, body=body)
    before = await service.store.last_seq(kab)
    foreign = {**body, "desa": [*body["desa"], {"code": "35.99.99.2001", "name": "Lain"}]}
    for bad, field in [(foreign, "desa.2.code"), ({**body, "units": "x"}, "units")]:
        reply = await call(nc, "kecamatan_put", kab, kec, body=bad)
        assert reply.status == 422
        assert reply.error is not None
        assert reply.error["field"] == field
        assert reply.error["message"]
        assert reply.error["message_en"]
    assert await service.store.last_seq(kab) == before
