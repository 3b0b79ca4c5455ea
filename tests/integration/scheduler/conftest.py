"""The scheduler service on real NATS + PostgreSQL, in its own schema, serving one kabupaten."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from nats.aio.client import Client as NATS

from services.scheduler.main import SPEC
from shared.config import Settings
from shared.edge.rpc import RpcReply
from shared.runtime import Runtime
from shared.tenancy import dot
from tests.support import rpc, running


@pytest_asyncio.fixture
async def service(settings: Settings, kab: str) -> AsyncIterator[Runtime]:
    spec = dataclasses.replace(SPEC, schema=f"scheduler_{uuid.uuid4().hex[:8]}")
    async with running(spec, settings.model_copy(update={"kabupaten": kab})) as rt:
        yield rt
        await rt.pool.execute(f"drop schema if exists {spec.schema}__shadow cascade")
        await rt.pool.execute(f"drop schema {spec.schema} cascade")


async def call(nc: NATS, name: str, kab: str, kec: str, **kw: Any) -> RpcReply:
    return await rpc(nc, "scheduler", name, kab, kec, **kw)


def kecamatan_body(kec: str, count: int = 4) -> dict[str, Any]:
    """A set-up of `count` desa of the test's kecamatan, in rotation order."""
    names = ["Balerejo", "Garon", "Mangunrejo", "Giripurno", "Ngentep", "Tladan", "Pojok"]
    desa = [{"code": f"{dot(kec)}.{2001 + i}", "name": names[i]} for i in range(count)]
    return {"name": "Kawedanan", "desa": desa, "units": ["Kantor Kecamatan"]}
