"""The kit's edge for a kabupaten-wide message: no kecamatan in the request, none checked,
and a caller confined to a kecamatan, a desa or another kabupaten refused."""

from __future__ import annotations

from typing import ClassVar

import pytest

from shared.contracts.base import Query, Reply
from shared.edge.kit import Api, Ctx
from shared.edge.rpc import RpcRequest, Scope
from tests.fakes import call_edge, fake_runtime

pytestmark = pytest.mark.unit

SERVICE = "kittest"


class Whole(Query):
    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "whole"
    kabupaten_wide: ClassVar[bool] = True

    year: int


class Seen(Reply):
    kab: str
    year: int


async def whole(q: Whole, ctx: Ctx[list[str]]) -> Seen:
    ctx.deps.append(ctx.kab)
    return Seen(kab=ctx.kab, year=q.year)


API = Api[list[str]](SERVICE, {Whole: whole})


async def test_a_kabupaten_wide_message_needs_no_kecamatan_and_none_configured() -> None:
    seen: list[str] = []
    reply = await call_edge(
        fake_runtime(), API, seen, Whole, RpcRequest(kab="35.20", params={"year": "2024"})
    )
    assert (reply.status, reply.data) == (200, {"kab": "3520", "year": 2024})
    assert seen == ["3520"]


@pytest.mark.parametrize(
    "scope",
    [
        Scope(role="admin"),
        Scope(role="auditor", kab="3520"),
        None,
    ],
)
async def test_callers_of_the_whole_kabupaten_or_wider_are_served(scope: Scope | None) -> None:
    req = RpcRequest(kab="3520", scope=scope, params={"year": "2024"})
    assert (await call_edge(fake_runtime(), API, [], Whole, req)).status == 200


@pytest.mark.parametrize(
    "scope",
    [
        Scope(role="camat", kab="3520", kec="352005"),
        Scope(role="auditor", kab="3520", kec="352005"),
        Scope(role="operator", kab="3520", kec="352005", desa="3520052004"),
        Scope(role="admin", kab="3521"),
    ],
)
async def test_a_caller_confined_below_or_elsewhere_is_refused(scope: Scope) -> None:
    seen: list[str] = []
    req = RpcRequest(kab="3520", scope=scope, params={"year": "2024"})
    reply = await call_edge(fake_runtime(), API, seen, Whole, req)
    assert reply.status == 403
    assert reply.error is not None
    assert reply.error["code"] == "FORBIDDEN"
    assert seen == []
