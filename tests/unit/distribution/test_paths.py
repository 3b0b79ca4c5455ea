"""The kit's edge for a household's or a round's path: an unknown id is 404 whatever the
body, and 403 for an operator, who learns nothing of another desa's households or rounds."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from services.distribution.api import API
from shared.contracts.distribution import ChangeAid, CloseRound, ForgetHousehold, HandOutPackage
from shared.edge.rpc import RpcReply, RpcRequest, Scope
from tests.fakes import configure, fake_runtime
from tests.unit.distribution.test_handlers import (
    BALEREJO,
    KAWEDANAN,
    TENANT,
    Fixture,
    household,
    open_round,
    operator,
    register,
)

pytestmark = pytest.mark.unit

UNKNOWN = str(uuid.uuid4())


@pytest.fixture
async def fx() -> Fixture:
    rt = fake_runtime()
    return Fixture(rt, await configure(rt.store, TENANT))


async def call(
    fx: Fixture, message: type[Any], ident: str, body: Any, scope: Scope | None = None
) -> RpcReply:
    req = RpcRequest(kab=TENANT.kab, kec=TENANT.kec, params={"id": ident}, body=body, scope=scope)
    return await API.endpoint(fx.rt, fx.deps, message)(req)


def refusal(reply: RpcReply) -> tuple[int, str | None, str | None]:
    error = reply.error or {}
    return reply.status, error.get("code"), error.get("field")


BAD_BODIES: list[tuple[type[Any], Any]] = [
    (ChangeAid, {"aid": "banyak", "as_of": "kemarin"}),
    (ChangeAid, [1]),
    (ForgetHousehold, [1]),
    (HandOutPackage, {"household_id": "bukan-id"}),
    (CloseRound, ["tutup"]),
]


@pytest.mark.parametrize(("message", "body"), BAD_BODIES)
async def test_an_unknown_id_is_404_whatever_the_body_and_403_for_an_operator(
    fx: Fixture, message: type[Any], body: Any
) -> None:
    before = fx.log()
    for ident in (UNKNOWN, "bukan-id"):
        assert refusal(await call(fx, message, ident, body)) == (404, "NOT_FOUND", None)
        reply = await call(fx, message, ident, body, scope=operator())
        assert refusal(reply) == (403, "FORBIDDEN", None)
    assert fx.log() == before


@pytest.mark.parametrize(("message", "body"), BAD_BODIES)
async def test_another_desas_household_or_round_is_403_for_an_operator_whatever_the_body(
    fx: Fixture, message: type[Any], body: Any
) -> None:
    theirs = {
        "household": await register(fx, household(1, desa=KAWEDANAN)),
        "round": await open_round(fx, KAWEDANAN),
    }
    ident = theirs["round" if message in (HandOutPackage, CloseRound) else "household"]
    before = fx.log()
    reply = await call(fx, message, ident, body, scope=operator(BALEREJO))
    assert refusal(reply) == (403, "FORBIDDEN", None)
    assert refusal(await call(fx, message, ident, body, scope=operator(KAWEDANAN)))[0] == 422
    assert refusal(await call(fx, message, ident, body))[0] == 422
    assert fx.log() == before


async def test_a_known_id_with_a_bad_body_is_422_naming_the_field(fx: Fixture) -> None:
    mine = await register(fx, household(1))
    round_id = await open_round(fx, BALEREJO)
    before = fx.log()
    for message, ident, body, field in (
        (ChangeAid, mine, {"aid": ["PKH"]}, "as_of"),
        (ChangeAid, mine, [1], "body"),
        (
            HandOutPackage,
            round_id,
            {"household_id": "x", "distributed_on": "2025-03-07"},
            "household_id",
        ),
        (CloseRound, round_id, ["tutup"], "body"),
    ):
        reply = await call(fx, message, ident, body, scope=operator())
        assert refusal(reply) == (422, "INVALID", field), (message, body)
    assert fx.log() == before
    closed = await call(fx, CloseRound, round_id, None, scope=operator())
    assert (closed.status, closed.data) == (200, {"round_id": round_id})
