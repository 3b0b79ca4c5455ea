"""A service composed as `smart run` composes it: NATS edge -> handler -> log -> read model."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from faststream.nats import NatsRouter
from pydantic import BaseModel, Field

from shared.rpc import RpcReply, RpcRequest, answer, rpc_pattern
from shared.runtime import Runtime, ServiceSpec
from shared.tenancy import AggregateRef
from tests.support import TALLY, TALLY_SQL, Tallied, TallyProjection, rpc, running

pytestmark = pytest.mark.integration


class Add(BaseModel):
    n: int = Field(ge=0, le=100)


def router(rt: Runtime) -> NatsRouter:
    r = NatsRouter()

    @r.subscriber(rpc_pattern("tally", "add"), queue="tally")
    async def add(req: RpcRequest) -> RpcReply:
        async def work() -> RpcReply:
            cmd = Add.model_validate(req.body)
            ref = AggregateRef(req.tenant, "tally", "counter", "c1")
            out = await rt.runner.execute(TALLY, ref, req.meta, lambda s: [Tallied(n=cmd.n)])
            return RpcReply(status=201, position=out.position, data={"total": out.state})

        return await answer(work)

    @r.subscriber(rpc_pattern("tally", "total"), queue="tally")
    async def total(req: RpcRequest) -> RpcReply:
        async def work() -> RpcReply:
            await rt.wait_for(req.tenant.kab, req.wait_for)
            value = await rt.pool.fetchval(f"select coalesce(sum(n), 0) from {rt.schema}.applied")
            return RpcReply(data={"total": value})

        return await answer(work)

    return r


async def test_command_and_query_over_request_reply(settings, nc, kab, tmp_path: Path) -> None:
    (tmp_path / "001.sql").write_text(TALLY_SQL)
    schema = f"t_{uuid.uuid4().hex[:10]}"
    spec = ServiceSpec("tally", schema, tmp_path, lambda s: [TallyProjection()], router)
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
