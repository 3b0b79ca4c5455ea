"""The kuitansi's data: the donor's name opened by the donations service, for the treasury
roles only; anonymous and shredded donors stay unnamed."""

from __future__ import annotations

import pytest

from services.donations.api import API
from shared.contracts.documents import ReceiptDocument, ReceiptQuery
from shared.edge.rpc import RpcReply, RpcRequest, Scope
from tests.fakes import call_edge
from tests.unit.donations.test_handlers import TENANT, Fixture, donation, fx, receive, void

pytestmark = pytest.mark.unit
__all__ = ["fx"]

BENDAHARA = Scope(role="bendahara", kab=TENANT.kab, kec=TENANT.kec)


async def ask(fx: Fixture, donation_id: str, scope: Scope | None = BENDAHARA) -> RpcReply:
    req = RpcRequest(kab=TENANT.kab, kec=TENANT.kec, params={"id": donation_id}, scope=scope)
    return await call_edge(fx.rt, API, fx.deps, ReceiptQuery, req)


async def test_the_receipt_names_its_donor_opened_from_the_sealed_event(fx: Fixture) -> None:
    given = await receive(fx, donation(donor="  Siti   Aminah ", amount_idr=1_500_000))
    reply = await ask(fx, given.reply.donation_id)
    assert reply.status == 200, reply.error
    doc = ReceiptDocument.model_validate(reply.data)
    assert (doc.donor, doc.receipt_no, doc.amount_idr) == ("Siti Aminah", 1, 1_500_000)
    assert (doc.unit, doc.received_on.isoformat(), doc.voided) == (
        "Desa Balerejo",
        "2024-03-01",
        False,
    )
    assert b"Siti" not in b"".join(e.data for e in fx.rt.memory.events(TENANT.kab))


async def test_an_anonymous_a_voided_and_a_forgotten_donor(fx: Fixture) -> None:
    anonymous = await receive(fx, donation(donor="hamba allah"))
    named = await receive(fx, donation(donor="Budi"))
    await void(fx, named.reply.donation_id)
    assert (await ask(fx, anonymous.reply.donation_id)).data["donor"] is None
    voided = (await ask(fx, named.reply.donation_id)).data
    assert (voided["donor"], voided["voided"]) == ("Budi", True)
    await fx.keys.shred(f"donation:{named.reply.donation_id}")
    assert (await ask(fx, named.reply.donation_id)).data["donor"] is None


async def test_only_the_treasury_prints_a_receipt_and_unknown_ids_are_404(fx: Fixture) -> None:
    given = await receive(fx, donation(donor="Budi"))
    for role in ("operator", "auditor"):
        scope = Scope(role=role, kab=TENANT.kab, kec=TENANT.kec)
        refused = await ask(fx, given.reply.donation_id, scope)
        assert refused.status == 403
        assert refused.data is None
    assert (await ask(fx, given.reply.donation_id, None)).status == 403
    camat = Scope(role="camat", kab=TENANT.kab, kec=TENANT.kec)
    assert (await ask(fx, given.reply.donation_id, camat)).status == 200
    missing = await ask(fx, "00000000-0000-0000-0000-000000000000")
    assert missing.status == 404
    assert missing.error is not None
    assert missing.error["code"] == "NOT_FOUND"
