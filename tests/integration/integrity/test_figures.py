"""The Serasa Desa figures: 20 / 10 / 7 findings in 2021–2023, and the rebuild equals live."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from nats.aio.client import Client as NATS

from services.integrity.projections import read_models
from services.integrity.queries import Queries
from services.integrity.reports import summary
from shared.readside.rebuild import rebuild
from shared.runtime import Runtime
from tests.integration.integrity.conftest import (
    OFFICE,
    act,
    call,
    configure,
    finding,
    hold,
    record,
    table_rows,
)

pytestmark = pytest.mark.integration

CATEGORIES = ["KEHADIRAN", "PELAYANAN", "ETIKA", "ADMINISTRASI", "KEUANGAN", "GRATIFIKASI"]
SEVERITIES = ["RINGAN", "RINGAN", "SEDANG", "BERAT"]
FIGURES = {2021: 20, 2022: 10, 2023: 7}


async def record_the_years(nc: NATS, kab: str, kec: str) -> list[str]:
    """20, 10 and 7 findings spread over units, categories, severities and months."""
    codes = await configure(nc, kab, kec)
    units = itertools.cycle([*codes, OFFICE])
    kinds = itertools.cycle(itertools.product(CATEGORIES, SEVERITIES))
    ids = []
    for year, count in FIGURES.items():
        for n in range(count):
            category, severity = next(kinds)
            body = finding(
                next(units),
                f"{year}-{n % 12 + 1:02d}-{n % 27 + 1:02d}",
                category=category,
                severity=severity,
            )
            ids.append(await record(nc, kab, kec, body))
    return ids


async def test_twenty_ten_seven_findings_give_exactly_those_yearly_counts(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    ids = await record_the_years(nc, kab, kec)
    invalid = await record(nc, kab, kec, finding(OFFICE, "2023-08-01", category="ETIKA"))
    for finding_id in ids[:25]:
        assert (await act(nc, kab, kec, "finding_resolve", finding_id, action="Dibina")).ok
    followed = await act(nc, kab, kec, "finding_follow_up", ids[-1], action="Teguran")
    dismissed = await act(nc, kab, kec, "finding_dismiss", invalid, reason="Tidak terbukti")
    assert (followed.status, dismissed.status) == (200, 200)
    last = dismissed.position

    totals = await call(nc, "findings_summary", kab, kec, wait_for=last)
    assert totals.data["by_year"] == {"2021": 20, "2022": 10, "2023": 7}
    assert sum(totals.data["by_category"].values()) == 37
    assert sum(totals.data["by_severity"].values()) == 37
    assert totals.data["by_severity"]["RINGAN"] > totals.data["by_severity"]["BERAT"] > 0
    assert totals.data["open"] == 37 - 25

    yearly = await call(nc, "summary", kab, kec, params={"year": 2023})
    assert yearly.data == {"findings_by_year": {"2021": 20, "2022": 10, "2023": 7}}
    later = await call(nc, "summary", kab, kec, params={"year": "2024"})
    assert later.data == {"findings_by_year": {"2021": 20, "2022": 10, "2023": 7, "2024": 0}}
    earlier = await call(nc, "summary", kab, kec, params={"year": 2022})
    assert earlier.data == {"findings_by_year": {"2021": 20, "2022": 10}}

    trend = (await call(nc, "trend", kab, kec, params={"year": 2023})).data
    assert [(y["year"], y["findings"], y["change"]) for y in trend["years"]] == [
        (2021, 20, None),
        (2022, 10, -10),
        (2023, 7, -3),
    ]
    assert (trend["change"], trend["change_pct"]) == (-3, -30.0)

    units = (await call(nc, "findings_by_unit", kab, kec, params={"year": 2021})).data["units"]
    assert sum(u["findings"] for u in units) == 20
    assert {u["name"] for u in units} == {"Balerejo", "Garon", "Jungke", OFFICE}


async def test_the_read_models_rebuilt_from_the_log_equal_the_live_ones(
    service: Runtime, nc: NATS, kab: str, kec: str, pool
) -> None:
    codes = await configure(nc, kab, kec)
    visit = await hold(nc, kab, kec, codes[0], date(2023, 3, 7))
    ids = await record_the_years(nc, kab, kec)
    linked = await record(
        nc, kab, kec, finding(codes[0], "2023-03-07", source="SERASA_DESA", visit_id=visit)
    )
    body = {"action": "Pembinaan", "sanction": "TEGURAN_LISAN"}
    assert (await act(nc, kab, kec, "finding_follow_up", linked, **body)).ok
    for n, found_on in enumerate(("2022-01-10", "2023-06-01")):
        named = finding(OFFICE, found_on, official="Sri Rahayu", subject_type="KEPALA_DESA")
        await record(nc, kab, kec, named, command_id=f"named-{kab}-{n}")
    await act(nc, kab, kec, "finding_resolve", ids[0], action="Selesai")
    last = (await act(nc, kab, kec, "finding_dismiss", ids[1], reason="Keliru")).position
    live_summary = await call(nc, "findings_summary", kab, kec, wait_for=last)
    live_visits = await call(nc, "visits", kab, kec, params={"year": 2023})

    shadow = await rebuild(service.readside, switch=False)
    try:
        tables = [t for p in read_models() for t in p.tables]
        async with pool.acquire() as conn:
            live = await table_rows(conn, service.schema, kab, tables)
            rebuilt = await table_rows(conn, shadow, kab, tables)
        assert live["findings"]
        assert live["visits"]
        assert rebuilt == live
        groups = await Queries(pool, shadow).groups(kab, kec)
        repeats = await Queries(pool, shadow).repeat_officials(kab, kec)
        assert summary(groups, repeats) == live_summary.data
        assert live_summary.data["by_year"] == {"2021": 19, "2022": 11, "2023": 9}
        assert (live_summary.data["by_subject_type"]["KEPALA_DESA"], repeats) == (2, 1)
        assert live_visits.data["visits"] == [
            {"visit_id": visit, "host_desa": codes[0], "held_on": "2023-03-07", "findings": 1}
        ]
    finally:
        await pool.execute(f"drop schema if exists {shadow} cascade")


async def test_the_summary_counts_by_subject_and_officials_found_again_within_24_months(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    codes = await configure(nc, kab, kec)
    nip = "19800202 200501 1 002"
    plan = [
        ("2021-01-05", {"official": nip}),
        ("2022-12-20", {"official": "198002022005011002"}),  # the same NIP, 23 months on
        ("2021-02-01", {"official": "Sri Rahayu", "subject_type": "KEPALA_DESA"}),
        ("2023-03-01", {"official": "sri  rahayu", "subject_type": "KEPALA_DESA"}),  # 25 months
        ("2022-05-01", {"official": "Joko", "subject_type": "PERANGKAT_DESA"}),
        ("2022-06-01", {"official": "Joko", "subject_type": "PERANGKAT_DESA"}),  # dismissed
        ("2023-01-01", {"subject_type": "PERANGKAT_DESA"}),
        ("2023-02-01", {}),
    ]
    ids = [
        await record(nc, kab, kec, finding(codes[0], found_on, **extra)) for found_on, extra in plan
    ]
    last = (await act(nc, kab, kec, "finding_dismiss", ids[5], reason="Keliru")).position
    totals = (await call(nc, "findings_summary", kab, kec, wait_for=last)).data
    assert totals["by_subject_type"] == {"ASN": 3, "KEPALA_DESA": 2, "PERANGKAT_DESA": 2}
    assert totals["repeat_officials"] == 1, (
        "the NIP only: Sri's came 25 months apart, Joko's dismissed"
    )
    third = finding(codes[1], "2024-12-01", official="Sri Rahayu", subject_type="KEPALA_DESA")
    await record(nc, kab, kec, third, wait_for=last)
    reply = await call(nc, "findings_summary", kab, kec, wait_for=last + 1)
    assert reply.data["repeat_officials"] == 2
    assert "Sri" not in str(reply.data)
