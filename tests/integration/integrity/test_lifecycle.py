"""A finding's life over the RPC edge: dismissal leaves the counts, the end is final."""

from __future__ import annotations

import pytest
from nats.aio.client import Client as NATS

from shared.runtime import Runtime
from tests.integration.integrity.conftest import (
    OFFICE,
    act,
    call,
    configure,
    finding,
    log_of,
    record,
)

pytestmark = pytest.mark.integration


async def test_a_dismissed_finding_stays_in_the_log_but_leaves_every_count(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    codes = await configure(nc, kab, kec)
    kept = await record(nc, kab, kec, finding(codes[1], "2022-04-12", severity="SEDANG"))
    wrong = await record(nc, kab, kec, finding(codes[1], "2022-05-03", category="KEUANGAN"))
    before = await call(
        nc, "findings_summary", kab, kec, wait_for=await service.store.last_seq(kab)
    )
    assert before.data["by_year"] == {"2022": 2}
    assert before.data["by_category"]["KEUANGAN"] == 1

    dismissed = await act(nc, kab, kec, "finding_dismiss", wrong, reason="Laporan tidak benar")
    assert (dismissed.status, dismissed.data) == (200, {"finding_id": wrong})
    after = await call(nc, "findings_summary", kab, kec, wait_for=dismissed.position)
    assert after.data["by_year"] == {"2022": 1}
    assert after.data["by_category"]["KEUANGAN"] == 0
    assert after.data["by_severity"] == {"RINGAN": 0, "SEDANG": 1, "BERAT": 0}
    assert after.data["open"] == 1
    summary = await call(nc, "summary", kab, kec, params={"year": 2022})
    assert summary.data == {"findings_by_year": {"2022": 1}}
    units = await call(nc, "findings_by_unit", kab, kec)
    assert units.data["units"] == [
        {"unit": codes[1], "name": "Garon", "desa": codes[1], "findings": 1, "open": 1}
    ]
    opened = await call(nc, "open_findings", kab, kec)
    assert [f["finding_id"] for f in opened.data["findings"]] == [kept]
    types = [e.envelope.type for e in await log_of(nc, kab) if e.envelope.aggregate_id == wrong]
    assert types == ["FindingRecorded", "FindingDismissed"]


async def test_a_finding_followed_up_then_resolved_is_no_longer_open(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    await configure(nc, kab, kec)
    finding_id = await record(nc, kab, kec, finding(OFFICE, "2023-02-01", category="ETIKA"))
    first = await act(nc, kab, kec, "finding_follow_up", finding_id, action="Klarifikasi")
    second = await act(
        nc, kab, kec, "finding_follow_up", finding_id, action="Pembinaan", sanction="TEGURAN_LISAN"
    )
    assert (first.status, second.status) == (200, 200)
    assert second.position > first.position
    still_open = await call(nc, "findings_summary", kab, kec, wait_for=second.position)
    assert still_open.data["open"] == 1
    resolved = await act(nc, kab, kec, "finding_resolve", finding_id, action="Sudah tertib")
    assert resolved.data == {"finding_id": finding_id}
    done = await call(nc, "findings_summary", kab, kec, wait_for=resolved.position)
    assert (done.data["open"], done.data["by_year"]) == (0, {"2023": 1})
    async with service.pool.acquire() as conn:
        row = await conn.fetchrow(
            f"select status, follow_ups, closed_on from {service.schema}.findings"
            " where kab = $1 and finding_id = $2",
            kab,
            finding_id,
        )
    assert (row["status"], row["follow_ups"]) == ("RESOLVED", 2)
    assert row["closed_on"] is not None


async def test_a_resolved_or_dismissed_finding_refuses_every_action_and_appends_nothing(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    codes = await configure(nc, kab, kec)
    resolved = await record(nc, kab, kec, finding(codes[0], "2023-06-06"))
    dismissed = await record(nc, kab, kec, finding(codes[0], "2023-06-07"))
    assert (await act(nc, kab, kec, "finding_resolve", resolved, action="Selesai")).ok
    assert (await act(nc, kab, kec, "finding_dismiss", dismissed, reason="Keliru")).ok
    head = await service.store.last_seq(kab)
    bodies = {
        "finding_follow_up": {"action": "Teguran"},
        "finding_resolve": {"action": "Selesai"},
        "finding_dismiss": {"reason": "Keliru"},
    }
    for finding_id, code in ((resolved, "FINDING_RESOLVED"), (dismissed, "FINDING_DISMISSED")):
        for name, body in bodies.items():
            reply = await act(nc, kab, kec, name, finding_id, **body)
            assert reply.status == 409, (name, code)
            assert reply.error is not None
            assert reply.error["code"] == code
            assert reply.error["finding_id"] == finding_id
            assert reply.error["message"] != reply.error["message_en"]
    assert await service.store.last_seq(kab) == head


async def test_a_retried_record_answers_the_same_finding_and_appends_once(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    codes = await configure(nc, kab, kec)
    body = finding(codes[2], "2021-11-23")
    first = await call(nc, "finding_record", kab, kec, body=body, command_id="temuan-1")
    again = await call(nc, "finding_record", kab, kec, body=body, command_id="temuan-1")
    assert (first.status, again.status) == (201, 201)
    assert again.data == first.data
    assert again.position == first.position
    recorded = [e for e in await log_of(nc, kab) if e.envelope.type == "FindingRecorded"]
    assert len(recorded) == 1
    retried = await act(nc, kab, kec, "finding_resolve", first.data["finding_id"], action="x")
    assert retried.ok
