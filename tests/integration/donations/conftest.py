"""The donations service on real NATS + PostgreSQL, serving only the test's kabupaten."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio
from nats.aio.client import Client as NATS

from services.donations.main import SPEC
from shared.config import Settings
from shared.edge.rpc import RpcReply
from shared.events.base import DomainEvent
from shared.events.scheduler import Desa, KecamatanConfigured, kecamatan_ref
from shared.log.aggregate import AggregateType, CommandRunner
from shared.log.envelope import Metadata
from shared.log.eventstore import EventStore
from shared.log.signing import Signer
from shared.runtime import Runtime
from shared.tenancy import Tenant
from tests.fakes import TEST_SECRET
from tests.support import rpc, running

UNITS = ["Kantor Kecamatan", "Desa Balerejo", "Desa Garon", "Kelurahan Kawedanan"]
KECAMATAN = AggregateType[int]("scheduler", "kecamatan", lambda: 0, lambda n, e: n + 1)


def own_kabupaten(settings: Settings, kab: str) -> Settings:
    return settings.model_copy(update={"kabupaten": kab})


@pytest_asyncio.fixture
async def service(settings: Settings, kab: str) -> AsyncIterator[Runtime]:
    async with running(SPEC, own_kabupaten(settings, kab)) as rt:
        yield rt


async def configure(nc: NATS, kab: str, kec: str, units: list[str] | None = None) -> int:
    """What the scheduler appends on PUT of the kecamatan: its set-up, units included."""
    tenant = Tenant(kab, kec)
    event: DomainEvent = KecamatanConfigured(
        kecamatan=tenant.kec_dotted,
        name="Kawedanan",
        desa=[Desa(code=f"{tenant.kec_dotted}.2004", name="Balerejo")],
        units=UNITS if units is None else units,
    )
    cid = str(uuid.uuid4())
    out = await CommandRunner(
        EventStore(nc, signer=Signer.derive(TEST_SECRET, "scheduler"))
    ).execute(
        KECAMATAN,
        kecamatan_ref(tenant),
        Metadata(command_id=cid, correlation_id=cid, actor="t"),
        lambda _: [event],
    )
    return out.position


async def call(nc: NATS, name: str, kab: str, kec: str, **kw: Any) -> RpcReply:
    return await rpc(nc, "donations", name, kab, kec, **kw)


def gift(
    amount: int, on: str = "2024-03-01", unit: str = "Desa Balerejo", **kw: Any
) -> dict[str, Any]:
    return {"unit": unit, "amount_idr": amount, "received_on": on, **kw}


def lot(packages: int, on: str = "2024-03-05", price: int = 100_000) -> dict[str, Any]:
    return {
        "packages": packages,
        "unit_price_idr": price,
        "purchased_on": on,
        "supplier": "Toko Sembako Makmur",
    }


def cost(amount: int, on: str = "2024-03-06", category: str = "TRANSPORT") -> dict[str, Any]:
    return {
        "amount_idr": amount,
        "spent_on": on,
        "category": category,
        "description": "Sewa kendaraan ke desa",
    }


async def void(nc: NATS, kab: str, kec: str, donation_id: str, reason: str = "keliru") -> RpcReply:
    body = {"reason": reason}
    return await call(nc, "donation_void", kab, kec, params={"id": donation_id}, body=body)
