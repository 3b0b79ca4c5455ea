"""Serasa Desa visits beside findings, per desa and per visit, and open findings' age."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from nats.aio.client import Client as NATS

from shared.clock import jakarta_today
from shared.events.scheduler import ActivityKind
from shared.runtime import Runtime
from tests.integration.integrity.conftest import (
    OFFICE,
    act,
    call,
    configure,
    finding,
    hold,
    record,
)

pytestmark = pytest.mark.integration


async def test_visits_and_findings_are_joined_per_desa_and_per_visit(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, garon, jungke = await configure(nc, kab, kec)
    march = await hold(nc, kab, kec, balerejo, date(2023, 3, 7))
    may = await hold(nc, kab, kec, balerejo, date(2023, 5, 2))
    april = await hold(nc, kab, kec, garon, date(2023, 4, 4))
    await hold(nc, kab, kec, jungke, date(2022, 11, 1))
    friday = await hold(nc, kab, kec, jungke, date(2023, 3, 3), ActivityKind.SENAM)

    def on_visit(visit_id: str, found_on: str) -> dict[str, object]:
        return finding(balerejo, found_on, source="SERASA_DESA", visit_id=visit_id)

    kept = await record(nc, kab, kec, on_visit(march, "2023-03-07"))
    dropped = await record(nc, kab, kec, on_visit(march, "2023-03-08"))
    await record(nc, kab, kec, finding(balerejo, "2023-06-01", source="PENGADUAN"))
    await record(nc, kab, kec, finding("Jungke", "2023-07-11"))
    await record(nc, kab, kec, finding(OFFICE, "2023-07-12"))
    await record(nc, kab, kec, finding(garon, "2022-12-01"))
    last = (await act(nc, kab, kec, "finding_dismiss", dropped, reason="Keliru")).position

    reply = await call(nc, "visits", kab, kec, params={"year": 2023}, wait_for=last)
    assert reply.data["desa"] == [
        {"desa": balerejo, "name": "Balerejo", "visits": 2, "findings": 2},
        {"desa": garon, "name": "Garon", "visits": 1, "findings": 0},
        {"desa": jungke, "name": "Jungke", "visits": 0, "findings": 1},
    ]
    assert reply.data["visits"] == [
        {"visit_id": march, "host_desa": balerejo, "held_on": "2023-03-07", "findings": 1},
        {"visit_id": april, "host_desa": garon, "held_on": "2023-04-04", "findings": 0},
        {"visit_id": may, "host_desa": balerejo, "held_on": "2023-05-02", "findings": 0},
    ]
    before = await call(nc, "visits", kab, kec, params={"year": 2022})
    assert [(d["visits"], d["findings"]) for d in before.data["desa"]] == [(0, 0), (0, 1), (1, 0)]

    not_a_visit = await call(nc, "finding_record", kab, kec, body=on_visit(friday, "2023-03-03"))
    assert (not_a_visit.status, not_a_visit.error["field"]) == (422, "visit_id")
    too_early = await call(nc, "finding_record", kab, kec, body=on_visit(may, "2023-05-01"))
    assert (too_early.status, too_early.error["field"]) == (422, "found_on")
    wrong_source = await call(
        nc, "finding_record", kab, kec, body=on_visit(may, "2023-05-02") | {"source": "INTERNAL"}
    )
    assert (wrong_source.status, wrong_source.error["field"]) == (422, "visit_id")
    assert kept


async def test_a_visit_held_just_now_can_be_linked_at_once(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, _, _ = await configure(nc, kab, kec)
    visit = await hold(nc, kab, kec, balerejo, date(2024, 1, 9))
    body = finding(balerejo, "2024-01-09", source="SERASA_DESA", visit_id=visit)
    assert await record(nc, kab, kec, body)


async def test_open_findings_carry_their_age_and_are_overdue_past_the_configured_days(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    codes = await configure(nc, kab, kec)
    today = jakarta_today()
    old = await record(nc, kab, kec, finding(codes[0], (today - timedelta(days=40)).isoformat()))
    edge = await record(nc, kab, kec, finding(codes[1], (today - timedelta(days=30)).isoformat()))
    fresh = await record(nc, kab, kec, finding(OFFICE, (today - timedelta(days=5)).isoformat()))
    closed = await record(nc, kab, kec, finding(OFFICE, (today - timedelta(days=90)).isoformat()))
    last = (await act(nc, kab, kec, "finding_resolve", closed, action="Selesai")).position

    reply = await call(nc, "open_findings", kab, kec, wait_for=last)
    assert (reply.data["as_of"], reply.data["overdue_days"]) == (today.isoformat(), 30)
    rows = [(f["finding_id"], f["age_days"], f["overdue"]) for f in reply.data["findings"]]
    assert rows == [(old, 40, True), (edge, 30, False), (fresh, 5, False)]
    assert (reply.data["count"], reply.data["overdue"]) == (3, 1)
    assert reply.data["findings"][0]["unit_name"] == "Balerejo"
    assert "description" not in reply.data["findings"][0]

    stricter = await call(nc, "open_findings", kab, kec, params={"overdue_days": 4})
    assert stricter.data["overdue"] == 3
