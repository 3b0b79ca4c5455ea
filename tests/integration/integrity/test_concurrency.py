"""Two replicas racing on one finding: exactly one closing action wins, the rest are refused."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from nats.aio.client import Client as NATS

from shared.runtime import Runtime
from tests.integration.integrity.conftest import act, configure, finding, log_of, record

pytestmark = pytest.mark.integration


async def test_resolve_and_dismiss_racing_on_two_replicas_close_a_finding_once(
    service: Runtime, replica: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    codes = await configure(nc, kab, kec)
    ids = [await record(nc, kab, kec, finding(codes[n % 3], f"2023-0{n + 1}-15")) for n in range(6)]

    async def race(finding_id: str) -> list[tuple[str, int, str | None]]:
        replies = await asyncio.gather(
            act(nc, kab, kec, "finding_resolve", finding_id, action="Selesai"),
            act(nc, kab, kec, "finding_dismiss", finding_id, reason="Keliru"),
            act(nc, kab, kec, "finding_resolve", finding_id, action="Selesai juga"),
        )
        names = ("resolve", "dismiss", "resolve")
        return [
            (n, r.status, r.error["code"] if r.error else None)
            for n, r in zip(names, replies, strict=True)
        ]

    outcomes = await asyncio.gather(*(race(i) for i in ids))
    log = await log_of(nc, kab)
    for finding_id, outcome in zip(ids, outcomes, strict=True):
        winners = [name for name, status, _ in outcome if status == 200]
        assert len(winners) == 1, outcome
        expected = "FINDING_RESOLVED" if winners[0] == "resolve" else "FINDING_DISMISSED"
        assert sorted(code for _, status, code in outcome if status != 200) == [expected] * 2
        closing = Counter(
            e.envelope.type
            for e in log
            if e.envelope.aggregate_id == finding_id
            and e.envelope.type in ("FindingResolved", "FindingDismissed")
        )
        assert sum(closing.values()) == 1, closing
