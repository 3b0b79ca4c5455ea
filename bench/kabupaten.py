"""`python -m bench.kabupaten --events 1000000`: the kabupaten view at province scale.

The replay benchmark's province history (666 kecamatan, 18 to a kabupaten; `--data-dir`
keeps it for the next run) is replayed into every read model, the services and the
gateway start as `smart up` starts them, and then, through HTTP as a client sees it:
* the ceiling, measured in the same run: one kecamatan's `GET /summary?year=` (four
  services, one query each);
* each kabupaten's `GET /api/v1/{kab}/summary?year=` (four services, one query each for
  all of its kecamatan) as a ratio to that ceiling, and per kecamatan of the answer;
* the province page's read: every kabupaten's view, `AT_ONCE` at a time as the page reads
  them, and all at once.
Medians of `--repeat` requests each; JSON on the last line."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from bench.generate import SCALES
from bench.replay import SECRET, streams, with_history
from services.cli.ops import readsides_for
from services.cli.up import run_services, stop_services
from services.gateway.auth import Role, issue_token
from services.gateway.server import start_gateway
from services.gateway.web.kabupaten import AT_ONCE
from shared.clock import jakarta_today
from shared.config import Settings
from shared.infra.ports import free_port
from shared.readside.rebuild import rebuild_all
from shared.tenancy import kab_of_stream

Ask = Callable[[], Awaitable[httpx.Response]]


async def median_s(ask: Ask, repeat: int) -> float:
    """The median seconds of `repeat` requests, after one to warm up; each must answer 200."""
    times = []
    for i in range(repeat + 1):
        started = time.perf_counter()
        resp = await ask()
        elapsed = time.perf_counter() - started
        if resp.status_code != 200:
            raise SystemExit(f"{resp.request.url} answered {resp.status_code}: {resp.text[:300]}")
        if i:
            times.append(elapsed)
    return statistics.median(times)


def asking(client: httpx.AsyncClient, path: str, year: int) -> Ask:
    async def ask() -> httpx.Response:
        return await client.get(path, params={"year": year})

    return ask


async def measure(
    client: httpx.AsyncClient, kabs: list[str], year: int, repeat: int
) -> dict[str, Any]:
    """The ceiling (one kecamatan's summary), every kabupaten's view, and all of them at once."""
    views: dict[str, float] = {}
    rows: dict[str, int] = {}
    for kab in kabs:
        path = f"/api/v1/{kab}/summary"
        views[kab] = await median_s(asking(client, path, year), repeat)
        rows[kab] = len((await client.get(path, params={"year": year})).json()["kecamatan"])
    first = kabs[0]
    sample = (await client.get(f"/api/v1/{first}/summary", params={"year": year})).json()
    kec = sample["kecamatan"][0]["code"].replace(".", "")
    ceiling = await median_s(asking(client, f"/api/v1/{first}/{kec}/summary", year), repeat)

    def province(at_once: int) -> Ask:
        room = asyncio.Semaphore(at_once)

        async def one(kab: str) -> httpx.Response:
            async with room:
                return await client.get(f"/api/v1/{kab}/summary", params={"year": year})

        async def every() -> httpx.Response:
            answers = await asyncio.gather(*(one(k) for k in kabs))
            return next((a for a in answers if a.status_code != 200), answers[0])

        return every

    whole = await median_s(province(AT_ONCE), max(1, repeat // 4))
    all_at_once = await median_s(province(len(kabs)), max(1, repeat // 4))
    view = statistics.median(views.values())
    per_row = statistics.median(views[k] / rows[k] for k in kabs if rows[k])
    return {
        "year": year,
        "kabupaten": len(kabs),
        "kecamatan": sum(rows.values()),
        "kecamatan_summary_ms": round(ceiling * 1000, 2),
        "kabupaten_view_ms": round(view * 1000, 2),
        "kabupaten_view_slowest_ms": round(max(views.values()) * 1000, 2),
        "kabupaten_view_vs_kecamatan_summary": round(view / ceiling, 2),
        "kabupaten_view_per_kecamatan_ms": round(per_row * 1000, 3),
        "province_all_kabupaten_ms": round(whole * 1000, 2),
        "province_vs_kecamatan_summary": round(whole / ceiling, 2),
        "province_all_at_once_ms": round(all_at_once * 1000, 2),
        "first_kabupaten_totals": sample["totals"],
    }


def show(found: dict[str, Any]) -> None:
    print(
        f"  one kecamatan's GET /summary (the ceiling)      "
        f"{found['kecamatan_summary_ms']:>9.1f} ms"
    )
    print(
        f"  one kabupaten's GET /api/v1/{{kab}}/summary       {found['kabupaten_view_ms']:>9.1f} ms"
        f"  (x{found['kabupaten_view_vs_kecamatan_summary']} of the ceiling, "
        f"{found['kabupaten_view_per_kecamatan_ms']:.2f} ms per kecamatan; slowest "
        f"{found['kabupaten_view_slowest_ms']:.1f} ms)"
    )
    print(
        f"  the province page's read: {found['kabupaten']} kabupaten ({found['kecamatan']}"
        f" kecamatan), {AT_ONCE} at a time   {found['province_all_kabupaten_ms']:>9.1f} ms"
        f"  (x{found['province_vs_kecamatan_summary']} of the ceiling;"
        f" all at once {found['province_all_at_once_ms']:.1f} ms)"
    )


async def main(args: argparse.Namespace) -> None:
    async with with_history(args) as (_, endpoints, nc, pool, total):
        kabs = sorted(kab_of_stream(n) for n in await streams(nc))
        print(f"History: {total:,} events in {len(kabs)} kabupaten streams")
        settings = Settings(
            nats_url=endpoints.nats_url,
            database_url=endpoints.database_url,
            credentials_dir=endpoints.credentials,
            secret_key=SECRET,
        )
        sides = readsides_for(settings, None, nc, pool)
        for side in sides:
            await side.migrate()
        started = time.perf_counter()
        await rebuild_all(sides)
        print(f"  read models rebuilt in {time.perf_counter() - started:,.0f} s")
        runtimes = await run_services(settings)
        port = free_port()
        gateway = await start_gateway(settings, port)
        token = issue_token(SECRET, sub="bench", role=Role.ADMIN)
        headers = {"Authorization": f"Bearer {token}"}
        try:
            async with httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60
            ) as client:
                found = await measure(client, kabs, args.year, args.repeat)
        finally:
            await gateway.stop()
            await stop_services(runtimes)
        show(found)
        print(json.dumps({"events": total, **found}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--scale", choices=sorted(SCALES), default="province")
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--year", type=int, default=jakarta_today().year, help="the year asked for")
    parser.add_argument("--repeat", type=int, default=20, help="requests per figure")
    parser.add_argument("--data-dir", default=None, help="keep the history here and reuse it")
    asyncio.run(main(parser.parse_args()))
