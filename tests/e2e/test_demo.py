"""The Kawedanan 2023 demo, loaded through the public API: its figures, loaded twice."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import httpx
import nats
import pytest
import pytest_asyncio

from services.gateway.auth import Role
from services.gateway.demo import load_demo
from services.gateway.demo import scenario as sc
from services.gateway.web.wilayah import KAWEDANAN_DESA
from shared.log.reader import read_pages
from shared.tenancy import stream_name
from tests.e2e.conftest import System

pytestmark = pytest.mark.e2e

KAB, KEC = sc.KAB, sc.KEC
_LOADED: dict[str, str] = {}


async def load_once(system: System) -> str:
    """The demo loaded into this session's system, once for every test module."""
    if system.base_url not in _LOADED:
        _LOADED[system.base_url] = await load_demo(system.settings, port_of(system))
    return _LOADED[system.base_url]


def port_of(system: System) -> int:
    port = urlsplit(system.base_url).port
    assert port is not None
    return port


def api(system: System, role: Role = Role.AUDITOR) -> httpx.AsyncClient:
    client = system.client(system.token(role, kab=KAB))
    client.base_url = httpx.URL(f"{system.base_url}/api/v1/{KAB}/{KEC}")
    return client


async def last_seq(system: System) -> int:
    nc = await nats.connect(system.settings.nats_url)
    try:
        info = await nc.jetstream().stream_info(stream_name(KAB))
        return int(info.state.last_seq)
    finally:
        await nc.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def demo(system: System) -> str:
    return await load_once(system)


async def get(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    resp = await client.get(path, params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


async def test_the_summary_shows_the_programmes_own_figures(system: System, demo: str) -> None:
    async with api(system) as client:
        figures = await get(client, "/summary", year=2023)
    assert figures["packages_distributed"] == 150
    assert figures["packages_value_idr"] == 15_000_000
    assert figures["households_reached"] == 150
    assert figures["spent_idr"] == 15_000_000
    assert figures["donations_idr"] == sum(g["amount_idr"] for g in sc.donations())
    assert figures["findings_by_year"] == {"2021": 20, "2022": 10, "2023": 7}
    held, scheduled = figures["activities"]["held"], figures["activities"]["scheduled"]
    assert scheduled["SERASA_DESA"] >= 50, "a visit every Tuesday of the year"
    assert all(scheduled[k] >= 11 for k in ("SENAM", "JALAN_JALAN", "BERSIH_BERSIH"))
    assert 0.75 * sum(scheduled.values()) <= sum(held.values()) < sum(scheduled.values())
    assert "150 paket (Rp 15.000.000)" in demo
    assert "20/10/7" in demo


async def test_the_rota_covers_every_month_and_hand_outs_rotate(system: System, demo: str) -> None:
    async with api(system) as client:
        months = [await get(client, "/activities", year=2023, month=m) for m in range(1, 13)]
        found = await get(client, "/distribution", year=2023)
        fund = await get(client, "/fund")
    for month in months:
        kinds = Counter(a["kind"] for a in month["activities"])
        assert kinds["SERASA_DESA"] >= 4
        assert "held" in {a["status"] for a in month["activities"]}
    per_month = Counter(r["month"] for r in found["rows"])
    assert per_month == {f"2023-{m:02d}": 2 for m in range(1, 11)}
    assert Counter(r["desa"] for r in found["rows"]) == {c: 1 for c, _ in KAWEDANAN_DESA}
    assert found["totals"] == {"packages": 150, "value_idr": 15_000_000, "households_reached": 150}
    assert sum(c["eligible"] for c in found["coverage"]) >= 160
    assert fund["packages_procured"] == 150
    assert fund["balance_idr"] == sum(g["amount_idr"] for g in sc.donations()) - 15_000_000


async def test_loading_twice_changes_nothing(system: System, demo: str) -> None:
    before = await last_seq(system)
    again = await load_demo(system.settings, port_of(system))
    assert await last_seq(system) == before
    assert again.splitlines()[0] == demo.splitlines()[0]
    assert "sudah ada" in again, "the demo admin is created once"


async def test_no_fake_person_appears_in_clear_text_in_the_log(system: System, demo: str) -> None:
    people = [sc.household(d, n) for d in range(20) for n in range(sc.HOUSEHOLDS_PER_DESA)]
    secrets = {str(p[k]).encode() for p in people for k in ("nik", "no_kk", "name", "address")}
    nc = await nats.connect(system.settings.nats_url)
    seen = 0
    try:
        async for page in read_pages(nc, stream_name(KAB), f"smart.{KAB}.{KEC}.>", 1, 2000):
            for event in page:
                seen += 1
                assert not [s for s in secrets if s in event.data], event.subject
    finally:
        await nc.close()
    assert seen >= 800


async def test_the_public_page_shows_totals_and_no_person(system: System, demo: str) -> None:
    async with httpx.AsyncClient(base_url=system.base_url) as client:
        resp = await client.get(f"/transparansi/{KAB}/{KEC}", params={"tahun": 2023})
    assert resp.status_code == 200
    assert 'data-figure="packages">150<' in resp.text
    assert 'data-figure="findings">7<' in resp.text
    assert 'data-figure="households">150<' in resp.text
    masked = sc.household(0, 0)["nik"]
    assert str(masked)[:4] + "*" not in resp.text
    assert "Pemerintah Desa" not in resp.text, "no unit or person names, totals only"
    assert resp.text.count('<svg class="chart"') == 3, "the fund, packages and findings charts"
    assert 'id="figures-as-of"' in resp.text
    assert "WIB" in resp.text.split('id="figures-as-of"')[1][:80]
