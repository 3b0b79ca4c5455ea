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
from services.gateway.demo.findings_plan import REPEAT_OFFICIALS, findings
from shared.events.integrity import FindingRecorded
from shared.events.scheduler import ActivityHeld
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


async def year_plan(client: httpx.AsyncClient) -> list[sc.RoundPlan]:
    """The rounds the scenario makes of the rota as the API answers it."""
    months = [await get(client, "/activities", year=sc.YEAR, month=m) for m in range(1, 13)]
    return sc.rounds([a for month in months for a in month["activities"]])


def reached(plans: list[sc.RoundPlan]) -> int:
    chosen = zip(plans, sc.recipients(plans), strict=True)
    return len({(plan.desa, n) for plan, households in chosen for n in households})


async def test_the_summary_shows_the_programmes_own_figures(system: System, demo: str) -> None:
    async with api(system) as client:
        figures = await get(client, "/summary", year=2023)
        plans = await year_plan(client)
    spent = sum(sc.round_cost(p) for p in plans)
    assert figures["packages_distributed"] == 150
    assert figures["packages_value_idr"] == 15_000_000
    assert figures["households_reached"] == reached(plans) >= 80
    assert figures["spent_idr"] == spent == 15_000_000 + 10 * 190_000
    assert figures["donations_idr"] == sum(g["amount_idr"] for g in sc.donations())
    assert figures["findings_by_year"] == {"2021": 20, "2022": 10, "2023": 7}
    held, scheduled = figures["activities"]["held"], figures["activities"]["scheduled"]
    assert scheduled["SERASA_DESA"] >= 50, "a visit every Tuesday of the year"
    assert all(scheduled[k] >= 11 for k in ("SENAM", "JALAN_JALAN", "BERSIH_BERSIH"))
    assert held["SHOLAWATAN_BERBAGI"] == 10, "every charity Friday to October, with its round"
    assert 0.6 * sum(scheduled.values()) <= sum(held.values()) < sum(scheduled.values())
    assert "150 paket (Rp 15.000.000)" in demo
    assert "20/10/7" in demo
    assert "disimpan untuk Sholawatan Berbagi November dan Desember" in demo


async def test_each_charity_friday_has_its_round_in_its_host_desa(
    system: System, demo: str
) -> None:
    async with api(system) as client:
        months = [await get(client, "/activities", year=2023, month=m) for m in range(1, 13)]
        found = await get(client, "/distribution", year=2023)
        fund = await get(client, "/fund")
    charity = [
        a
        for month in months
        for a in month["activities"]
        if a["kind"] == "SHOLAWATAN_BERBAGI" and a["status"] == "held"
    ]
    assert len(charity) == 10
    rows = {(r["desa"], r["month"]): r["packages"] for r in found["rows"]}
    assert rows == {(a["host_desa"], a["date"][:7]): 15 for a in charity}
    for month in months:
        kinds = Counter(a["kind"] for a in month["activities"])
        assert kinds["SERASA_DESA"] >= 4
        fridays = [a["host_desa"] for a in month["activities"] if a["kind"] != "SERASA_DESA"]
        assert len(set(fridays)) == len(fridays), "a month's Fridays go to different desa"
    assert found["totals"]["packages"] == 150
    assert sum(c["eligible"] for c in found["coverage"]) == 20 * (
        sc.HOUSEHOLDS_PER_DESA - sc.AIDED_PER_DESA
    )
    assert fund["packages_procured"] == 150
    reserve = sc.LATER_ROUNDS * sc.round_cost(sc.rounds(charity)[-1])
    assert fund["balance_idr"] >= reserve, "kept for the charity Fridays of November, December"
    assert fund["balance_idr"] < reserve + 250_000, "the rest of the year's gifts is spent"


async def test_serasa_desa_findings_name_held_visits(system: System, demo: str) -> None:
    nc = await nats.connect(system.settings.nats_url)
    visits, linked = {}, []
    try:
        async for page in read_pages(nc, stream_name(KAB), f"smart.{KAB}.{KEC}.>", 1, 2000):
            for stored in page:
                event = stored.event
                if isinstance(event, ActivityHeld) and event.kind.value == "SERASA_DESA":
                    visits[event.activity_id] = event
                elif isinstance(event, FindingRecorded) and event.source.value == "SERASA_DESA":
                    linked.append(event)
    finally:
        await nc.close()
    assert len(linked) == 10
    assert {e.found_on.year for e in linked} == {2022, 2023}
    for finding in linked:
        assert finding.visit_id is not None
        visit = visits[finding.visit_id]
        assert (visit.host_desa, visit.held_on) == (finding.desa, finding.found_on)
    async with api(system) as client:
        summary = await get(client, "/findings/summary")
    assert summary["repeat_officials"] == REPEAT_OFFICIALS
    assert sum(summary["by_subject_type"].values()) == 37
    assert all(n > 0 for n in summary["by_subject_type"].values())


async def test_loading_twice_changes_nothing(system: System, demo: str) -> None:
    before = await last_seq(system)
    again = await load_demo(system.settings, port_of(system))
    assert await last_seq(system) == before
    assert again.splitlines()[0] == demo.splitlines()[0]
    assert "sudah ada" in again, "the demo admin is created once"


async def test_no_fake_person_appears_in_clear_text_in_the_log(system: System, demo: str) -> None:
    people = [sc.household(d, n) for d in range(20) for n in range(sc.HOUSEHOLDS_PER_DESA)]
    secrets = {str(p[k]).encode() for p in people for k in ("nik", "no_kk", "name", "address")}
    secrets |= {str(p.body["official"]).encode() for p in findings([])}
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
    async with api(system) as api_client:
        households = (await get(api_client, "/summary", year=2023))["households_reached"]
    assert f'data-figure="households">{households}<' in resp.text
    masked = sc.household(0, 0)["nik"]
    assert str(masked)[:4] + "*" not in resp.text
    assert "Pemerintah Desa" not in resp.text, "no unit or person names, totals only"
    assert resp.text.count('<svg class="chart"') == 3, "the fund, packages and findings charts"
    assert 'id="figures-as-of"' in resp.text
    assert "WIB" in resp.text.split('id="figures-as-of"')[1][:80]
