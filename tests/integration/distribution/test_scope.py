"""A village operator acts only on its own desa's households and rounds, judged here."""

from __future__ import annotations

from typing import Any

import pytest
from nats.aio.client import Client as NATS

from shared.edge.rpc import RpcReply, Scope
from shared.runtime import Runtime
from shared.tenancy import undot
from tests.integration.distribution.conftest import (
    call,
    configure,
    household,
    open_round,
    procure,
    register,
)

pytestmark = pytest.mark.integration
UNKNOWN = "0190c0de-0000-7000-8000-000000000000"
Cases = list[tuple[str, dict[str, Any]]]
HEADER = "no_kk,nik,name,desa,address,desil,registry,snapshot_date,aid"


def operator_of(kab: str, kec: str, desa: str) -> Scope:
    return Scope(role="operator", kab=kab, kec=kec, desa=undot(desa))


def forbidden(reply: RpcReply) -> bool:
    return (reply.status, reply.error and reply.error["code"]) == (403, "FORBIDDEN")


def csv_of(*bodies: dict[str, Any]) -> str:
    lines = [",".join(str(b[k]) for k in HEADER.split(",")) for b in bodies]
    return "\n".join([HEADER, *lines])


async def test_an_operator_writes_and_reads_only_its_own_desa_households(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, garon, _ = await configure(nc, kab, kec)
    theirs = await register(nc, kab, kec, household(garon, 1))
    scope = operator_of(kab, kec, balerejo)
    before = await service.store.last_seq(kab)
    aid = {"aid": ["PKH"], "as_of": "2025-02-01"}
    cases: Cases = [
        ("household_register", {"body": household(garon, 2)}),
        ("household_register", {"body": household("35.20.99.2001", 3)}),
        ("household_get", {"params": {"id": theirs}}),
        ("household_aid", {"params": {"id": theirs}, "body": aid}),
        ("household_forget", {"params": {"id": theirs}}),
        ("household_get", {"params": {"id": UNKNOWN}}),
        ("household_forget", {"params": {"id": "not-an-id"}}),
        ("households", {"params": {"desa": garon}}),
    ]
    for name, kw in cases:
        reply = await call(nc, name, kab, kec, scope=scope, **kw)
        assert forbidden(reply), (name, reply)
        assert theirs not in str(reply.error)
    assert await service.store.last_seq(kab) == before

    mine = await call(nc, "household_register", kab, kec, body=household(balerejo, 4), scope=scope)
    assert mine.status == 201, mine.error
    hid = mine.data["household_id"]
    changed = await call(nc, "household_aid", kab, kec, params={"id": hid}, body=aid, scope=scope)
    assert (changed.status, changed.data["aid"]) == (200, ["PKH"])
    got = await call(
        nc, "household_get", kab, kec, params={"id": hid}, wait_for=changed.position, scope=scope
    )
    assert got.data == changed.data
    listed = await call(nc, "households", kab, kec, wait_for=changed.position, scope=scope)
    assert [h["household_id"] for h in listed.data["households"]] == [hid]
    gone = await call(nc, "household_forget", kab, kec, params={"id": hid}, scope=scope)
    assert (gone.status, gone.data) == (200, {"household_id": hid, "forgotten": True})
    unknown = await call(nc, "household_get", kab, kec, params={"id": UNKNOWN})
    assert unknown.status == 404


async def test_an_operator_opens_hands_out_and_closes_only_its_own_desa_rounds(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, garon, tladan = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 5)
    theirs = await open_round(nc, kab, kec, garon, "2025-03", 5)
    in_garon = await register(nc, kab, kec, household(garon, 1))
    scope = operator_of(kab, kec, balerejo)
    before = await service.store.last_seq(kab)
    hand_out = {"household_id": in_garon, "distributed_on": "2025-03-07"}
    cases: Cases = [
        ("round_open", {"body": {"desa": tladan, "month": "2025-03", "quota": 1}}),
        ("package_hand_out", {"params": {"id": theirs}, "body": hand_out}),
        ("round_close", {"params": {"id": theirs}}),
        ("round_suggestions", {"params": {"id": theirs}}),
        ("round_close", {"params": {"id": UNKNOWN}}),
        ("round_suggestions", {"params": {"id": UNKNOWN}}),
    ]
    for name, kw in cases:
        reply = await call(nc, name, kab, kec, scope=scope, **kw)
        assert forbidden(reply), (name, reply)
        assert in_garon not in str(reply.error)
    assert await service.store.last_seq(kab) == before

    body = {"desa": undot(balerejo), "month": "2025-03", "quota": 2}
    opened = await call(nc, "round_open", kab, kec, body=body, scope=scope)
    assert opened.status == 201, opened.error
    mine = opened.data["round_id"]
    hid = await register(nc, kab, kec, household(balerejo, 2))
    suggested = await call(
        nc,
        "round_suggestions",
        kab,
        kec,
        params={"id": mine},
        scope=scope,
        wait_for=await service.store.last_seq(kab),
    )
    assert [s["household_id"] for s in suggested.data["suggestions"]] == [hid]
    body = {"household_id": hid, "distributed_on": "2025-03-07"}
    handed = await call(
        nc, "package_hand_out", kab, kec, params={"id": mine}, body=body, scope=scope
    )
    assert (handed.status, handed.data["value_idr"]) == (201, 100_000)
    closed = await call(nc, "round_close", kab, kec, params={"id": mine}, scope=scope)
    assert (closed.status, closed.data) == (200, {"round_id": mine})
    camat = Scope(role="camat", kab=kab, kec=kec)
    other = await call(nc, "round_close", kab, kec, params={"id": theirs}, scope=camat)
    assert other.status == 200


async def test_an_operator_imports_only_lines_of_its_own_desa(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, garon, _ = await configure(nc, kab, kec)
    scope = operator_of(kab, kec, balerejo)
    before = await service.store.last_seq(kab)
    own, other = household(balerejo, 1, aid=""), household(garon, 2, aid="")
    for text in (csv_of(own, other), csv_of(own, other | {"nik": "x"}), csv_of(own | {"desa": ""})):
        reply = await call(nc, "household_import", kab, kec, body={"csv": text}, scope=scope)
        assert forbidden(reply), reply
    unreadable = f'no_kk,desa\n1,"{"x" * 200_000}"\n'
    reply = await call(nc, "household_import", kab, kec, body={"csv": unreadable}, scope=scope)
    assert reply.error is not None
    assert (reply.status, reply.error["field"]) == (422, "file")
    assert await service.store.last_seq(kab) == before

    undotted = own | {"desa": undot(balerejo)}
    text = csv_of(undotted, household(balerejo, 3, aid="", desil=0))
    reply = await call(nc, "household_import", kab, kec, body={"csv": text}, scope=scope)
    assert reply.status == 201, reply.error
    assert reply.data["accepted"] == 1
    assert [(r["line"], r["field"]) for r in reply.data["rejected"]] == [(3, "desil")]
    trusted = await call(nc, "household_import", kab, kec, body={"csv": unreadable})
    assert (trusted.status, trusted.data["accepted"]) == (200, 0)
