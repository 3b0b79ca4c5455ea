"""Every read model rebuilt from the log equals the live one, row for row."""

from __future__ import annotations

import asyncpg
import pytest

from services.donations.projections import read_models
from services.donations.queries import Queries
from shared.readside.rebuild import rebuild
from shared.tenancy import Tenant
from tests.integration.donations.conftest import UNITS, call, configure, cost, gift, lot, void

pytestmark = pytest.mark.integration


async def _rows(pool: asyncpg.Pool, schema: str, table: str, kab: str) -> list[str]:
    rows = await pool.fetch(
        f"select t::text as row from {schema}.{table} t where kab = $1 order by 1", kab
    )
    return [r["row"] for r in rows]


async def test_the_recap_rebuilt_from_the_log_equals_the_live_one(nc, kab, pool, service) -> None:
    kecs = [f"{kab}05", f"{kab}06"]
    last = 0
    for n, kec in enumerate(kecs):
        await configure(nc, kab, kec)
        ids = []
        for month in range(1, 7):
            for u, unit in enumerate(UNITS[: 2 + n]):
                body = gift(50_000 * (u + 1), on=f"2024-{month:02d}-0{u + 1}", unit=unit)
                ids.append((await call(nc, "donation_receive", kab, kec, body=body)).data)
            bought = await call(nc, "procure", kab, kec, body=lot(1, on=f"2024-{month:02d}-20"))
            last = max(last, bought.position)
        voided = await void(nc, kab, kec, ids[3]["donation_id"], "dobel")
        assert voided.status == 200
        paid = await call(nc, "expense_record", kab, kec, body=cost(15_000, on="2024-06-21"))
        closed = await call(nc, "period_close", kab, kec, params={"id": "2024-01"})
        assert (paid.status, closed.status) == (201, 200)
        last = max(last, voided.position, paid.position, closed.position)
    await call(nc, "fund", kab, kecs[0], wait_for=last)
    shadow = await rebuild(service.readside, switch=False)
    try:
        for projection in read_models():
            for table in projection.tables:
                live = await _rows(pool, "donations", table, kab)
                assert live, table
                assert await _rows(pool, shadow, table, kab) == live, table
        tenant = Tenant(kab, kecs[1])
        live_recap = await call(nc, "recap", kab, kecs[1], params={"year": 2024})
        rebuilt = await Queries(pool, shadow).recap(tenant, 2024, tuple(UNITS))
        assert rebuilt.model_dump(mode="json") == live_recap.data
        assert live_recap.data["rows"][5]["units_taking_part"] == 3
    finally:
        await pool.execute(f"drop schema if exists {shadow} cascade")
