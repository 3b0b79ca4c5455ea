"""`smart up --demo`: the Kawedanan 2023 scenario, loaded through the public HTTP API."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Iterable
from datetime import date
from typing import Any, TypeVar

import httpx
import nats

from services.gateway.auth import Role, issue_token
from services.gateway.demo import scenario as sc
from services.gateway.demo.findings_plan import FINDINGS_PER_YEAR, FindingPlan, Visit, findings
from services.gateway.users import UserStore, new_user
from services.gateway.web.i18n import Words
from services.gateway.web.wilayah import KAWEDANAN_DESA
from shared.config import Settings

T = TypeVar("T")
IN_FLIGHT = 24
DEMO_ADMIN = "admin"
API = f"/api/v1/{sc.KAB}/{sc.KEC}"


class DemoFailed(RuntimeError):
    """The gateway refused a step of the scenario."""


class Loader:
    """Writes with deterministic Idempotency-Keys: a second load appends nothing."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.slots = asyncio.Semaphore(IN_FLIGHT)
        self.position = 0

    async def write(self, method: str, path: str, key: str, body: Any = None) -> dict[str, Any]:
        headers = {"Idempotency-Key": f"demo-{sc.YEAR}-{key}"}
        async with self.slots:
            resp = await self.http.request(method, f"{API}{path}", json=body, headers=headers)
        if resp.status_code >= 300:
            raise DemoFailed(f"{method} {path or '/'} answered {resp.status_code}: {resp.text}")
        data: dict[str, Any] = resp.json()
        self.position = max(self.position, int(data.get("position") or 0))
        return data

    async def read(self, path: str, **params: Any) -> dict[str, Any]:
        resp = await self.http.get(f"{API}{path}", params={**params, "wait_for": self.position})
        resp.raise_for_status()
        data: dict[str, Any] = resp.json()
        return data

    async def run(self) -> None:
        await self.write("PUT", "", "kecamatan", sc.kecamatan_body())
        activities = await self.schedule_years()
        await asyncio.gather(
            self.activities_then_findings(activities), self.fund_and_packages(activities)
        )

    async def schedule_years(self) -> list[dict[str, Any]]:
        """Month after month: the rota's rotation advances in the order months are scheduled."""
        planned: list[dict[str, Any]] = []
        for year in sc.PLANNED_YEARS:
            for month in range(1, 13):
                key = f"schedule-{month}" if year == sc.YEAR else f"schedule-{year}-{month}"
                body = {"year": year, "month": month}
                planned += (await self.write("POST", "/schedule", key, body))["activities"]
        return [a for a in planned if a["status"] != "skipped"]

    async def activities_then_findings(self, activities: list[dict[str, Any]]) -> None:
        """The visits are reported first: the findings made on them name them."""
        held = await self.report_activities(activities)
        visits = [
            Visit(a["id"], date.fromisoformat(a["date"]), a["host_desa"])
            for a in held
            if a["kind"] == "SERASA_DESA"
        ]
        await _all(self.finding(i, plan) for i, plan in enumerate(findings(visits)))

    async def report_activities(self, activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Held or called off as the scenario says; answers the activities held."""
        steps, held = [], []
        for i, activity in enumerate(sorted(activities, key=lambda a: (a["date"], a["kind"]))):
            outcome = sc.hold_or_cancel(i, activity)
            if outcome is not None:
                what, body = outcome
                path = f"/activities/{activity['id']}/{what}"
                steps.append(self.write("POST", path, f"{what}-{activity['id']}", body))
                held += [activity] if what == "held" else []
        await _all(steps)
        return held

    async def fund_and_packages(self, activities: list[dict[str, Any]]) -> None:
        """The month's gifts first; then, charity Friday after charity Friday, its packages
        bought, its costs paid and its round handed out in its host desa."""
        households, _ = await asyncio.gather(self.households(), self.donations())
        plans = sc.rounds(activities)
        for index, (plan, chosen) in enumerate(zip(plans, sc.recipients(plans), strict=True)):
            await self.write("POST", "/procurements", f"procurement-{index}", plan.procurement())
            await _all(
                self.write("POST", "/expenses", f"expense-{index}-{n}", body)
                for n, body in enumerate(plan.expenses())
            )
            desa = households[plan.desa_index]
            await self.round(index, plan, [desa[n] for n in chosen])

    async def donations(self) -> None:
        """Receipts follow the months; each month's units give side by side."""
        gifts = sc.donations()
        per_month = len(sc.UNITS)
        for start in range(0, len(gifts), per_month):
            await _all(
                self.write("POST", "/donations", f"donation-{n}", gifts[n])
                for n in range(start, start + per_month)
            )

    async def households(self) -> list[list[str]]:
        """Household ids per desa, in registration order."""
        ids = await _all(
            self.write("POST", "/households", f"household-{d}-{n}", sc.household(d, n))
            for d in range(len(KAWEDANAN_DESA))
            for n in range(sc.HOUSEHOLDS_PER_DESA)
        )
        per = sc.HOUSEHOLDS_PER_DESA
        return [[a["household_id"] for a in ids[i : i + per]] for i in range(0, len(ids), per)]

    async def round(self, index: int, plan: sc.RoundPlan, households: list[str]) -> None:
        """The round of a charity Friday: its desa's households in turn, on that Friday."""
        opened = await self.write("POST", "/rounds", f"round-{index}", plan.body)
        path = f"/rounds/{opened['round_id']}"
        await _all(
            self.write(
                "POST",
                f"{path}/packages",
                f"package-{index}-{n}",
                {"household_id": hid, "distributed_on": plan.distributed_on.isoformat()},
            )
            for n, hid in enumerate(households)
        )
        await self.write("POST", f"{path}/close", f"close-{index}")

    async def finding(self, index: int, plan: FindingPlan) -> None:
        recorded = await self.write("POST", "/findings", f"finding-{index}", plan.body)
        path = f"/findings/{recorded['finding_id']}"
        if plan.follow_up is not None:
            await self.write("POST", f"{path}/follow-up", f"follow-up-{index}", plan.follow_up)
        if plan.resolve is not None:
            await self.write("POST", f"{path}/resolve", f"resolve-{index}", plan.resolve)


async def _all(steps: Iterable[Awaitable[T]]) -> list[T]:
    return list(await asyncio.gather(*steps))


async def ensure_admin(settings: Settings) -> str:
    """A kabupaten admin to sign in with, created once; its password is shown only then."""
    nc = await nats.connect(servers=settings.nats_servers(), name="smart-demo")
    try:
        password = secrets.token_urlsafe(12)
        user = new_user(DEMO_ADMIN, password, Role.ADMIN, kab=sc.KAB)
        if await UserStore(nc.jetstream(), settings.stream_replicas).add(user):
            return f"masuk sebagai '{DEMO_ADMIN}' dengan kata sandi {password}"
        return f"pengguna '{DEMO_ADMIN}' sudah ada (tambah pengguna: smart user add)"
    finally:
        await nc.close()


async def load_demo(settings: Settings, http_port: int) -> str:
    """Load the scenario into a running gateway; answer one summary of what it shows."""
    base = f"http://127.0.0.1:{http_port}"
    token = issue_token(
        settings.secret_key.get_secret_value(), sub="demo", role=Role.ADMIN, kab=sc.KAB, ttl_s=3600
    )
    async with httpx.AsyncClient(
        base_url=base,
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ) as http:
        loader = Loader(http)
        await loader.run()
        figures = await loader.read("/summary", year=sc.YEAR)
        fund = await loader.read("/fund")
    counts = "/".join(str(figures["findings_by_year"].get(str(y), 0)) for y in FINDINGS_PER_YEAR)
    login, rp = await ensure_admin(settings), Words("id").rupiah
    return (
        f"  demo        Kawedanan {sc.YEAR} (s.d. {sc.AS_OF:%d-%m-%Y}): "
        f"{figures['packages_distributed']} paket ({rp(figures['packages_value_idr'])}) untuk "
        f"{figures['households_reached']} rumah tangga, donasi {rp(figures['donations_idr'])}, "
        f"temuan 2021-2023 {counts} (log posisi {loader.position})\n"
        f"              {kept_for(fund['balance_idr'], rp)}\n"
        f"              {base}/dasbor/{sc.KAB}/{sc.KEC}?tahun={sc.YEAR}  {login}"
    )


def kept_for(balance_idr: int, rp: Callable[[int], str]) -> str:
    """What the fund's balance on `AS_OF` is kept for: the charity Fridays still to come."""
    rounds = sc.LATER_ROUNDS
    packages = rounds * sc.PACKAGES_PER_ROUND
    return (
        f"saldo dana {rp(balance_idr)} disimpan untuk Sholawatan Berbagi November dan Desember"
        f" ({rounds} putaran, {packages} paket beserta ongkos penyalurannya)"
    )
