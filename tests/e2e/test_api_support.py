"""Helpers of the HTTP contract tests: a kecamatan's API, made-up people, log counts."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import nats

from services.gateway.auth import Role
from shared.clock import jakarta_today
from shared.tenancy import dot
from tests.e2e.conftest import System

UNITS = ("Kantor Kecamatan", "Pemerintah Desa Satu", "Pemerintah Desa Dua")
DESA_NAMES = ("Sukamaju", "Tegalrejo", "Karanganyar", "Sidomulyo")


def desa_codes(kec: str, n: int = 3) -> list[str]:
    return [f"{dot(kec)}.{2001 + i}" for i in range(n)]


def kecamatan_body(kec: str, n_desa: int = 3, name: str = "Kecamatan Uji") -> dict[str, Any]:
    return {
        "name": name,
        "desa": [
            {"code": code, "name": DESA_NAMES[i]} for i, code in enumerate(desa_codes(kec, n_desa))
        ],
        "units": list(UNITS),
    }


def made_up_number(kec: str) -> str:
    """A 16-digit NIK / No. KK shaped number: area code, a birth date, a serial; nobody's."""
    born = date(1960, 1, 1) + timedelta(days=random.randint(0, 15000))
    day = born.day + random.choice((0, 40))
    return f"{kec}{day:02d}{born:%m%y}{random.randint(1, 9999):04d}"


FIRST = ("Sutrisno", "Wahyuningsih", "Sri", "Bambang", "Siti", "Joko", "Endang")
LAST = ("Prasetyo", "Rahayu", "Lestari", "Santoso", "Handayani", "Wibowo")


def household_body(kec: str, desa: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "no_kk": made_up_number(kec),
        "nik": made_up_number(kec),
        "name": f"{random.choice(FIRST)} {random.choice(LAST)}",
        "desa": desa,
        "address": f"Dusun Krajan RT {random.randint(1, 9):02d} RW {random.randint(1, 5):02d}",
        "desil": 2,
        "registry": "DTSEN",
        "snapshot_date": (jakarta_today() - timedelta(days=30)).isoformat(),
        "aid": [],
    }
    body.update(overrides)
    return body


def this_month() -> str:
    return f"{jakarta_today():%Y-%m}"


def assert_error(
    resp: httpx.Response, status: int, code: str, field_name: str | None = None
) -> dict[str, Any]:
    """The contract's error body: a code, a message in Indonesian and one in English."""
    assert resp.status_code == status, resp.text
    error = resp.json()["error"]
    assert error["code"] == code, error
    assert error["message"]
    assert error["message_en"]
    assert error["message"] != error["message_en"]
    if field_name is not None:
        assert error.get("field") == field_name, error
    return dict(error)


def assert_created(resp: httpx.Response, *keys: str) -> dict[str, Any]:
    assert resp.status_code == 201, resp.text
    return assert_write(resp, *keys, status=201)


def assert_write(resp: httpx.Response, *keys: str, status: int = 200) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert isinstance(body["position"], int)
    assert body["position"] > 0
    for key in keys:
        assert key in body, body
    return dict(body)


async def log_head(system: System, kab: str) -> int:
    """The kabupaten log's last sequence."""
    nc = await nats.connect(system.settings.nats_servers())
    try:
        return int((await nc.jetstream().stream_info(f"SMART_{kab}")).state.last_seq)
    finally:
        await nc.close()


async def log_count(system: System, kab: str, kec: str) -> int:
    """How many events the kecamatan has in its kabupaten's log."""
    nc = await nats.connect(system.settings.nats_servers())
    try:
        js = nc.jetstream()
        try:
            info = await js.stream_info(f"SMART_{kab}", subjects_filter=f"smart.{kab}.{kec}.>")
        except nats.js.errors.NotFoundError:
            return 0
        return sum((info.state.subjects or {}).values())
    finally:
        await nc.close()


async def healthy(system: System, timeout: float = 15.0) -> httpx.Response:
    """`GET /health` once every service has caught up with the writes just made."""
    async with system.client() as client:
        deadline = time.monotonic() + timeout
        while True:
            resp = await client.get("/health")
            if resp.status_code == 200 or time.monotonic() > deadline:
                return resp
            await asyncio.sleep(0.2)


@dataclass
class Api:
    """One fresh kecamatan of the e2e system, spoken to as its admin."""

    system: System
    kab: str
    kec: str
    client: httpx.AsyncClient
    desa: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"/api/v1/{self.kab}/{self.kec}"

    def url(self, path: str = "") -> str:
        return f"{self.base}{path}"

    def as_role(self, role: Role, **area: str | None) -> httpx.AsyncClient:
        return self.system.client(self.system.token(role, **area))

    async def get(self, path: str = "", **kw: Any) -> httpx.Response:
        return await self.client.get(self.url(path), **kw)

    async def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return await self.client.post(self.url(path), json=body, **kw)

    async def put(self, body: Any, **kw: Any) -> httpx.Response:
        return await self.client.put(self.url(), json=body, **kw)

    async def configure(self, n_desa: int = 3) -> dict[str, Any]:
        resp = await self.put(kecamatan_body(self.kec, n_desa))
        body = assert_write(resp, status=201)
        self.desa = [d["code"] for d in body["desa"]]
        return body

    async def donate(self, amount: int = 1_000_000, **overrides: Any) -> dict[str, Any]:
        body = {"unit": UNITS[0], "amount_idr": amount, "received_on": _today()}
        body.update(overrides)
        return assert_created(await self.post("/donations", body), "donation_id", "receipt_no")

    async def procure(self, packages: int = 5, price: int = 100_000) -> dict[str, Any]:
        body = {
            "packages": packages,
            "unit_price_idr": price,
            "purchased_on": _today(),
            "supplier": "Toko Sembako Makmur",
        }
        return assert_created(await self.post("/procurements", body), "procurement_id")

    async def register(self, **overrides: Any) -> dict[str, Any]:
        body = {**household_body(self.kec, self.desa[0]), **overrides}
        return assert_created(await self.post("/households", body), "household_id")

    async def open_round(self, desa: str | None = None, quota: int = 5) -> dict[str, Any]:
        body = {"desa": desa or self.desa[0], "month": this_month(), "quota": quota}
        return assert_created(await self.post("/rounds", body), "round_id")

    async def hand_out(self, round_id: str, household_id: str) -> httpx.Response:
        body = {"household_id": household_id, "distributed_on": _today()}
        return await self.post(f"/rounds/{round_id}/packages", body)


def _today() -> str:
    return jakarta_today().isoformat()


def today() -> date:
    return jakarta_today()


def new_api(system: System, tenant: tuple[str, str]) -> Api:
    kab, kec = tenant
    return Api(system, kab, kec, system.client(system.token(Role.ADMIN)))
