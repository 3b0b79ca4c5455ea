"""A service composed as `smart run` composes it: NATS edge -> handler -> log -> read model."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import Field

from shared.contracts.base import Command, Query, Reply
from shared.edge.kit import Api, Ctx, Written
from shared.runtime import ServiceSpec
from shared.tenancy import AggregateRef
from tests.support import TALLY, TALLY_SQL, Tallied, TallyProjection, rpc, running

pytestmark = pytest.mark.integration


class Add(Command):
    service: ClassVar[str] = "tally"
    rpc: ClassVar[str] = "add"

    n: int = Field(ge=0, le=100)


class Total(Query):
    service: ClassVar[str] = "tally"
    rpc: ClassVar[str] = "total"


class Counted(Reply):
    total: int


async def add(cmd: Add, ctx: Ctx[None]) -> Written[Counted]:
    ref = AggregateRef(ctx.tenant, "tally", "counter", "c1")
    out = await ctx.rt.runner.execute(TALLY, ref, ctx.meta, lambda s: [Tallied(n=cmd.n)])
    return Written(Counted(total=out.state), out.position, created=True)


async def total(q: Total, ctx: Ctx[None]) -> Counted:
    value = await ctx.rt.pool.fetchval(f"select coalesce(sum(n), 0) from {ctx.rt.schema}.applied")
    return Counted(total=value)


API = Api[None]("tally", {Add: add, Total: total}, before_setup=frozenset({Add, Total}))


async def test_command_and_query_over_request_reply(settings, nc, kab, tmp_path: Path) -> None:
    (tmp_path / "001.sql").write_text(TALLY_SQL)
    schema = f"t_{uuid.uuid4().hex[:10]}"
    spec = ServiceSpec(
        "tally", schema, tmp_path, lambda s: [TallyProjection()], API, lambda rt: None
    )
    async with running(spec, settings.model_copy(update={"kabupaten": kab})) as rt:
        kec = f"{kab}01"
        bad = await rpc(nc, "tally", "add", kab, kec, body={"n": -1})
        assert bad.status == 422
        assert bad.error is not None
        assert bad.error["field"] == "n"
        first = await rpc(nc, "tally", "add", kab, kec, body={"n": 5}, command_id="cmd-1")
        again = await rpc(nc, "tally", "add", kab, kec, body={"n": 5}, command_id="cmd-1")
        assert first.status == 201
        assert first.position
        assert again.position == first.position
        second = await rpc(nc, "tally", "add", kab, kec, body={"n": 7})
        read = await rpc(nc, "tally", "total", kab, kec, wait_for=second.position)
        assert read.data == {"total": 12}
        await rt.pool.execute(f"drop schema {schema} cascade")
