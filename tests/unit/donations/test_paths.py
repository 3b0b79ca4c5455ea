"""The kit's edge for a donation's path: an unknown donation is 404 whatever the body."""

from __future__ import annotations

from typing import Any

import pytest

from services.donations.api import API
from shared.contracts.donations import VoidDonation
from shared.edge.rpc import RpcReply, RpcRequest
from tests.fakes import configure, fake_runtime
from tests.unit.donations.test_handlers import TENANT, Fixture, deps_over, donation, receive

pytestmark = pytest.mark.unit


@pytest.fixture
async def fx() -> Fixture:
    rt = fake_runtime()
    return Fixture(rt, deps_over(rt), await configure(rt.store, TENANT))


async def void(fx: Fixture, donation_id: str, body: Any) -> RpcReply:
    req = RpcRequest(kab=TENANT.kab, kec=TENANT.kec, params={"id": donation_id}, body=body)
    return await call(fx, req)


async def call(fx: Fixture, req: RpcRequest) -> RpcReply:
    return await API.endpoint(fx.rt, fx.deps, VoidDonation)(req)


@pytest.mark.parametrize("body", [{"reason": ""}, {}, ["x"], {"reason": "x", "alasan": "y"}])
async def test_an_unknown_donation_is_404_whatever_the_body(fx: Fixture, body: Any) -> None:
    await receive(fx, donation())
    for ident in ("0190a3f4-0000-7000-8000-000000000001", "bukan-id"):
        reply = await void(fx, ident, body)
        assert (reply.status, reply.error and reply.error["code"]) == (404, "NOT_FOUND"), ident
    assert len(fx.fund_events()) == 1


async def test_a_known_donation_with_a_bad_body_is_422_naming_the_field(fx: Fixture) -> None:
    given = (await receive(fx, donation())).reply.donation_id
    for body, field in (({"reason": " "}, "reason"), (["x"], "body"), ({}, "reason")):
        reply = await void(fx, given, body)
        assert (reply.status, reply.error and reply.error["field"]) == (422, field), body
    assert len(fx.fund_events()) == 1
    voided = await void(fx, given, {"reason": "salah catat"})
    assert (voided.status, voided.position, voided.data) == (200, 3, {"donation_id": given})
