"""The integrity service on real NATS + PostgreSQL, and the scheduler's facts it reads."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest_asyncio
from nats.aio.client import Client as NATS

from services.integrity.main import SPEC
from shared.config import Settings
from shared.db import DbConn
from shared.edge.rpc import RpcReply
from shared.events.base import DomainEvent
from shared.events.scheduler import (
    ActivityHeld,
    ActivityKind,
    Desa,
    KecamatanConfigured,
    kecamatan_ref,
    rota_ref,
)
from shared.log.aggregate import AggregateType, CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.log.reader import StoredEvent, read_pages
from shared.log.signing import Signer
from shared.runtime import Runtime
from shared.tenancy import AggregateRef, Tenant, stream_name
from tests.fakes import TEST_SECRET
from tests.support import rpc, running

COUNTER = AggregateType[int]("any", "any", lambda: 0, lambda n, e: n + 1)
NAMES = ("Balerejo", "Garon", "Jungke")
OFFICE = "Kantor Kecamatan"


@pytest_asyncio.fixture
async def service(settings: Settings) -> AsyncIterator[Runtime]:
    async with running(SPEC, settings) as rt:
        yield rt


@pytest_asyncio.fixture
async def replica(service: Runtime, settings: Settings) -> AsyncIterator[Runtime]:
    """A second instance of the service: requests are shared between the two."""
    async with running(SPEC, settings) as rt:
        yield rt


def desa_codes(kec: str) -> list[str]:
    dotted = Tenant(kec[:4], kec).kec_dotted
    return [f"{dotted}.{2004 + i}" for i in range(len(NAMES))]


async def append(nc: NATS, ref: AggregateRef, event: DomainEvent) -> int:
    cid = str(uuid.uuid4())
    out = await CommandRunner(
        EventStore(nc, signer=Signer.derive(TEST_SECRET, ref.service))
    ).execute(
        COUNTER, ref, Metadata(command_id=cid, correlation_id=cid, actor="t"), lambda _: [event]
    )
    return out.position


async def configure(nc: NATS, kab: str, kec: str) -> list[str]:
    """What the scheduler appends on PUT of the kecamatan; answers its desa codes."""
    tenant = Tenant(kab, kec)
    codes = desa_codes(kec)
    event = KecamatanConfigured(
        kecamatan=tenant.kec_dotted,
        name="Kawedanan",
        desa=[Desa(code=c, name=n) for c, n in zip(codes, NAMES, strict=True)],
        units=[OFFICE],
    )
    await append(nc, kecamatan_ref(tenant), event)
    return codes


async def hold(
    nc: NATS,
    kab: str,
    kec: str,
    host: str,
    held_on: date,
    kind: ActivityKind = ActivityKind.SERASA_DESA,
) -> str:
    """What the scheduler appends when an activity of the rota took place; answers its id."""
    activity_id = f"{kind.value.lower()}-{held_on.isoformat()}-{uuid.uuid4().hex[:6]}"
    event = ActivityHeld(
        activity_id=activity_id,
        kind=kind,
        date=held_on,
        held_on=held_on,
        host_desa=host,
        officials=4,
        residents=30,
    )
    await append(nc, rota_ref(Tenant(kab, kec)), event)
    return activity_id


async def call(nc: NATS, name: str, kab: str, kec: str, **kw: Any) -> RpcReply:
    return await rpc(nc, "integrity", name, kab, kec, **kw)


def finding(unit: str, found_on: str, **kw: Any) -> dict[str, Any]:
    return {
        "unit": unit,
        "category": "KEHADIRAN",
        "severity": "RINGAN",
        "found_on": found_on,
        "source": "INSPEKTORAT",
        "description": "Perangkat desa tidak hadir pada jam pelayanan",
        **kw,
    }


async def record(nc: NATS, kab: str, kec: str, body: dict[str, Any], **kw: Any) -> str:
    reply = await call(nc, "finding_record", kab, kec, body=body, **kw)
    assert reply.status == 201, reply.error
    assert reply.position
    return str(reply.data["finding_id"])


async def act(nc: NATS, kab: str, kec: str, name: str, finding_id: str, **body: Any) -> RpcReply:
    return await call(nc, name, kab, kec, params={"id": finding_id}, body=body)


async def log_of(nc: NATS, kab: str) -> list[StoredEvent]:
    return [e async for page in read_pages(nc, stream_name(kab), f"smart.{kab}.>") for e in page]


async def table_rows(conn: DbConn, schema: str, kab: str, tables: Any) -> dict[str, list[str]]:
    return {
        t: [
            r["row"]
            for r in await conn.fetch(
                f"select t::text as row from {schema}.{t} t where kab = $1 order by 1", kab
            )
        ]
        for t in tables
    }
