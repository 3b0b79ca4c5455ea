"""The distribution service on real NATS + PostgreSQL, and the other services' facts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest_asyncio
from nats.aio.client import Client as NATS

from services.distribution.main import spec
from shared.config import Settings
from shared.edge.rpc import RpcReply
from shared.events.base import DomainEvent
from shared.events.donations import PackagesProcured, fund_ref
from shared.events.scheduler import (
    ActivityHeld,
    ActivityKind,
    Desa,
    KecamatanConfigured,
    kecamatan_ref,
)
from shared.log.aggregate import AggregateType, CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.log.signing import Signer
from shared.runtime import Runtime
from shared.tenancy import AggregateRef, Tenant
from tests.fakes import TEST_SECRET
from tests.support import rpc, running

COUNTER = AggregateType[int]("any", "any", lambda: 0, lambda n, e: n + 1)
NIK = "3520054101900001"
NAMES = ["Balerejo", "Garon", "Tladan"]
NO_KK = "3520050101080001"


@pytest_asyncio.fixture
async def service(settings: Settings, kab: str) -> AsyncIterator[Runtime]:
    async with running(spec(), settings.model_copy(update={"kabupaten": kab})) as rt:
        yield rt


@pytest_asyncio.fixture
async def replica(service: Runtime, settings: Settings, kab: str) -> AsyncIterator[Runtime]:
    """A second instance of the service: requests are shared between the two."""
    async with running(spec(), settings.model_copy(update={"kabupaten": kab})) as rt:
        yield rt


def desa_of(kec: str, *suffixes: str) -> list[str]:
    return [f"{Tenant(kec[:4], kec).kec_dotted}.{s}" for s in suffixes]


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
    codes = desa_of(kec, "2004", "2005", "2006")
    event = KecamatanConfigured(
        kecamatan=tenant.kec_dotted,
        name="Kawedanan",
        desa=[Desa(code=c, name=n) for c, n in zip(codes, NAMES, strict=True)],
        units=["Kantor Kecamatan"],
    )
    await append(nc, kecamatan_ref(tenant), event)
    return codes


async def procure(nc: NATS, kab: str, kec: str, packages: int, price: int = 100_000) -> int:
    """What the donations service appends when the fund buys a lot of packages."""
    event = PackagesProcured(
        procurement_id=str(uuid.uuid4()),
        packages=packages,
        unit_price_idr=price,
        total_idr=packages * price,
        purchased_on=date(2025, 1, 2),
        supplier="Toko Makmur",
        balance_after_idr=0,
    )
    return await append(nc, fund_ref(Tenant(kab, kec)), event)


async def hold_charity_friday(nc: NATS, kab: str, kec: str, desa: str, day: date) -> int:
    """What the scheduler appends when a SHOLAWATAN_BERBAGI activity was held."""
    activity = str(uuid.uuid4())
    event = ActivityHeld(
        activity_id=activity,
        kind=ActivityKind.SHOLAWATAN_BERBAGI,
        date=day,
        held_on=day,
        host_desa=desa,
        officials=25,
        residents=90,
    )
    return await append(
        nc, AggregateRef(Tenant(kab, kec), "scheduler", "activity", activity), event
    )


def household(desa: str, n: int, **kw: Any) -> dict[str, Any]:
    """A household body with numbers unique per `n`."""
    return {
        "no_kk": f"35200501010{n:05d}",
        "nik": f"35200541019{n:05d}",
        "name": f"Warga Nomor{n}",
        "desa": desa,
        "address": f"Dusun Krajan {n}",
        "desil": 3,
        "registry": "DTSEN",
        "snapshot_date": "2025-01-15",
        "aid": [],
    } | kw


async def call(nc: NATS, name: str, kab: str, kec: str, **kw: Any) -> RpcReply:
    return await rpc(nc, "distribution", name, kab, kec, **kw)


async def register(nc: NATS, kab: str, kec: str, body: dict[str, Any]) -> str:
    reply = await call(nc, "household_register", kab, kec, body=body)
    assert reply.status == 201, reply.error
    return str(reply.data["household_id"])


async def open_round(nc: NATS, kab: str, kec: str, desa: str, month: str, quota: int) -> str:
    body = {"desa": desa, "month": month, "quota": quota}
    reply = await call(nc, "round_open", kab, kec, body=body)
    assert reply.status == 201, reply.error
    return str(reply.data["round_id"])


async def hand_out(
    nc: NATS, kab: str, kec: str, round_id: str, household_id: str, on: str
) -> RpcReply:
    body = {"household_id": household_id, "distributed_on": on}
    return await call(nc, "package_hand_out", kab, kec, params={"id": round_id}, body=body)
