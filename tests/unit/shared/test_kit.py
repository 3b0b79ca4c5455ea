"""The kit's edge without NATS: parsing by field, the kecamatan and path checks, replies and
errors."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, ValidationError

from shared.contracts.base import Command, Query, Reply
from shared.edge.kit import Api, Ctx, Written, check_area, parse, reply_of
from shared.edge.rpc import RpcRequest, Scope
from shared.errors import DomainError, Forbidden, InvalidInput, NotFound
from shared.tenancy import Tenant
from tests.fakes import FakeRuntime, call_edge, configure, fake_runtime

pytestmark = pytest.mark.unit

TENANT = Tenant("3520", "352005")
SERVICE = "kittest"


class Make(Command):
    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "thing_make"

    name: str
    count: int = 1


class Poke(Command):
    """A command without input."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "thing_poke"


class Setup(Command):
    """Served before the kecamatan is configured."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "set_up"


class Look(Query):
    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "look"

    year: int | None = None


class Made(Reply):
    name: str
    kecamatan: str | None


class Seen(Reply):
    year: int | None
    desa: int


class Refused(DomainError):
    status = 418

    def __init__(self) -> None:
        super().__init__("TEAPOT", "Teko", "Teapot", field="name")


async def make(cmd: Make, ctx: Ctx[list[str]]) -> Written[Made]:
    ctx.deps.append(ctx.command_id)
    if cmd.name == "refuse":
        raise Refused()
    if cmd.name == "crash":
        raise RuntimeError("boom")
    return Written(Made(name=cmd.name, kecamatan=ctx.setup.kecamatan), 41, created=True)


async def poke(cmd: Poke, ctx: Ctx[list[str]]) -> Written[Made]:
    return Written(Made(name="poked", kecamatan=ctx.setup.kecamatan), 42)


async def setup(cmd: Setup, ctx: Ctx[list[str]]) -> Made:
    return Made(name="set up", kecamatan=None if ctx.kecamatan is None else "already")


async def look(q: Look, ctx: Ctx[list[str]]) -> Seen:
    return Seen(year=q.year, desa=len(ctx.setup.desa))


API = Api[list[str]](
    SERVICE,
    {Make: make, Poke: poke, Setup: setup, Look: look},
    before_setup=frozenset({Setup}),
)


def request(**kw: Any) -> RpcRequest:
    return RpcRequest(kab=TENANT.kab_dotted, kec=TENANT.kec_dotted, **kw)


@pytest.fixture
async def rt() -> FakeRuntime:
    runtime = fake_runtime()
    await configure(runtime.store, TENANT)
    return runtime


# -- parse and reply_of, directly -----------------------------------------------------------


def test_parse_builds_a_command_from_the_body_and_a_query_from_the_params() -> None:
    assert parse(Make, request(body={"name": " x "})) == Make(name="x")
    assert parse(Look, request(params={"year": "2024"}, body={"year": 1})) == Look(year=2024)
    assert parse(Poke, request()) == Poke()
    assert parse(Poke, request(body={})) == Poke()


@pytest.mark.parametrize("body", [None, [1, 2], "name", 3])
def test_parse_refuses_a_body_that_is_not_an_object_naming_body(body: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(Make, request(body=body))
    assert (caught.value.status, caught.value.field) == (422, "body")


def test_parse_refuses_a_bad_field_with_the_contracts_error() -> None:
    with pytest.raises(ValidationError):
        parse(Make, request(body={"name": "x", "count": "many"}))


def test_reply_of_maps_written_to_201_or_200_with_the_position() -> None:
    made = Made(name="x", kecamatan=None)
    created = reply_of(Written(made, 7, created=True))
    changed = reply_of(Written(made, 8))
    read = reply_of(made)
    assert (created.status, created.position, created.data) == (201, 7, made.model_dump())
    assert (changed.status, changed.position) == (200, 8)
    assert (read.status, read.position, read.data) == (200, None, made.model_dump())


def test_reply_of_dumps_json_values() -> None:
    class Dated(BaseModel):
        on: Any

    assert reply_of(Dated(on=date(2024, 3, 1))).data == {"on": "2024-03-01"}


# -- the whole edge, on the fake runtime ------------------------------------------------------


async def test_a_written_command_answers_201_with_its_position(rt: FakeRuntime) -> None:
    seen: list[str] = []
    reply = await call_edge(rt, API, seen, Make, request(body={"name": "x"}, command_id="c-1"))
    assert (reply.status, reply.position, reply.error) == (201, 41, None)
    assert reply.data == {"name": "x", "kecamatan": "35.20.05"}  # ctx.setup was given
    assert seen == ["c-1"]
    poked = await call_edge(rt, API, seen, Poke, request())
    assert (poked.status, poked.position) == (200, 42)


async def test_a_bad_field_is_422_naming_the_field(rt: FakeRuntime) -> None:
    seen: list[str] = []
    reply = await call_edge(rt, API, seen, Make, request(body={"name": "x", "count": "many"}))
    assert reply.status == 422
    assert reply.error is not None
    assert (reply.error["code"], reply.error["field"]) == ("INVALID", "count")
    missing = await call_edge(rt, API, seen, Make, request(body={}))
    assert missing.error is not None
    assert (missing.status, missing.error["field"]) == (422, "name")
    extra = await call_edge(rt, API, seen, Make, request(body={"name": "x", "colour": "red"}))
    assert extra.error is not None
    assert (extra.status, extra.error["field"]) == (422, "colour")
    query = await call_edge(rt, API, seen, Look, request(params={"year": "soon"}))
    assert query.error is not None
    assert (query.status, query.error["field"]) == (422, "year")
    assert seen == []  # no handler ran


async def test_a_body_that_is_not_an_object_is_422_naming_body(rt: FakeRuntime) -> None:
    reply = await call_edge(rt, API, [], Make, request(body=["x"]))
    assert reply.status == 422
    assert reply.error is not None
    assert reply.error["field"] == "body"
    assert reply.error["message"] != reply.error["message_en"]


async def test_a_kecamatan_never_configured_is_404_before_parsing() -> None:
    rt = fake_runtime()
    seen: list[str] = []
    reply = await call_edge(rt, API, seen, Make, request(body=["not even an object"]))
    assert reply.status == 404
    assert reply.error is not None
    assert reply.error["code"] == "NOT_FOUND"
    assert "35.20.05" in reply.error["message_en"]
    assert seen == []
    served = await call_edge(rt, API, seen, Setup, request())
    assert (served.status, served.data) == (200, {"name": "set up", "kecamatan": None})


async def test_a_query_answers_its_reply_without_a_position(rt: FakeRuntime) -> None:
    reply = await call_edge(rt, API, [], Look, request(params={"year": "2024"}))
    assert (reply.status, reply.position, reply.data) == (200, None, {"year": 2024, "desa": 3})


async def test_a_refusal_keeps_its_status_and_body_and_a_crash_is_500(rt: FakeRuntime) -> None:
    refused = await call_edge(rt, API, [], Make, request(body={"name": "refuse"}))
    assert refused.status == 418
    assert refused.error == {
        "code": "TEAPOT",
        "message": "Teko",
        "message_en": "Teapot",
        "field": "name",
    }
    crashed = await call_edge(rt, API, [], Make, request(body={"name": "crash"}))
    assert crashed.status == 500
    assert crashed.error is not None
    assert crashed.error["code"] == "INTERNAL"


class Plant(Command):
    service: ClassVar[str] = "test"
    rpc: ClassVar[str] = "plant"
    desa_field: ClassVar[str | None] = "desa"

    desa: str
    count: int


def test_an_operator_naming_another_desa_is_refused_before_its_body_is_judged() -> None:
    kec = TENANT.kec
    operator = Scope(role="operator", kab=TENANT.kab, kec=kec, desa=f"{kec}2001")
    elsewhere = request(body={"desa": f"{kec}2002", "count": "many"}, scope=operator)
    with pytest.raises(Forbidden):
        check_area(Plant, elsewhere)
    check_area(Plant, request(body={"desa": f"{TENANT.kec_dotted}.2001"}, scope=operator))
    camat = request(body={"desa": f"{kec}2002", "count": 1}, scope=Scope(role="camat"))
    check_area(Plant, camat)


# -- the path's id, judged before the body ------------------------------------------------------


class Mend(Command):
    """A command on the thing of the path."""

    service: ClassVar[str] = SERVICE
    rpc: ClassVar[str] = "thing_mend"

    how: str


async def known_thing(ctx: Ctx[list[str]]) -> None:
    ctx.deps.append(f"checked {ctx.raw_id}")
    if ctx.raw_id not in ("thing-1", "thing-2"):
        raise NotFound("Barang", ctx.raw_id, "Thing")


async def mend(cmd: Mend, ctx: Ctx[list[str]]) -> Written[Made]:
    ctx.deps.append(f"mended {ctx.raw_id}")
    return Written(Made(name=cmd.how, kecamatan=None), 43)


MENDING = Api[list[str]](SERVICE, {Mend: mend, Make: make}, paths={Mend: known_thing})


async def test_an_unknown_path_id_is_404_before_its_body_is_parsed(rt: FakeRuntime) -> None:
    seen: list[str] = []
    for body in ({"how": "glue"}, {}, ["x"], {"how": "glue", "colour": "red"}):
        reply = await call_edge(rt, MENDING, seen, Mend, request(params={"id": "nope"}, body=body))
        assert (reply.status, reply.error and reply.error["code"]) == (404, "NOT_FOUND"), body
    assert seen == ["checked nope"] * 4


async def test_a_known_path_id_lets_the_body_be_judged_then_handled(rt: FakeRuntime) -> None:
    seen: list[str] = []
    bad = await call_edge(rt, MENDING, seen, Mend, request(params={"id": "thing-1"}, body={}))
    assert (bad.status, bad.error and bad.error["field"]) == (422, "how")
    good = request(params={"id": "thing-2"}, body={"how": "glue"})
    reply = await call_edge(rt, MENDING, seen, Mend, good)
    assert (reply.status, reply.position, reply.data["name"]) == (200, 43, "glue")
    assert seen == ["checked thing-1", "checked thing-2", "mended thing-2"]
    made = await call_edge(rt, MENDING, seen, Make, request(body={"name": "x"}, command_id="m"))
    assert made.status == 201
    assert seen[3:] == ["m"]  # a message without a path check: no check ran


async def test_the_kecamatan_is_judged_before_the_path() -> None:
    seen: list[str] = []
    reply = await call_edge(fake_runtime(), MENDING, seen, Mend, request(params={"id": "nope"}))
    assert reply.status == 404
    assert reply.error is not None
    assert "35.20.05" in reply.error["message_en"]  # the kecamatan's 404, not the thing's
    assert seen == []


def test_an_api_names_only_its_own_messages_each_with_a_handler() -> None:
    with pytest.raises(ValueError, match="is not a kittest message"):
        Api[list[str]](SERVICE, {Plant: make})
    with pytest.raises(ValueError, match="Mend has no handler"):
        Api[list[str]](SERVICE, {Make: make}, paths={Mend: known_thing})
    with pytest.raises(ValueError, match="Setup has no handler"):
        Api[list[str]](SERVICE, {Make: make}, before_setup=frozenset({Setup}))
