"""Concurrent commands on one kecamatan's rota, across two replicas of the service."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter

import pytest
from nats.aio.client import Client as NATS

from services.scheduler.main import SPEC
from shared.config import Settings
from shared.runtime import Runtime
from shared.tenancy import dot
from tests.integration.scheduler.conftest import call, kecamatan_body
from tests.support import running

pytestmark = pytest.mark.integration


async def settle(kab: str, *replicas: Runtime) -> None:
    """Every replica's read side at the log's head, so none is stopped mid-batch."""
    head = await replicas[0].store.last_seq(kab)
    for rt in replicas:
        await rt.wait_for(kab, head)


async def test_concurrent_schedules_never_hand_out_a_turn_twice_and_one_hold_or_cancel_wins(
    service: Runtime, settings: Settings, nc: NATS, kab: str, kec: str
) -> None:
    await call(nc, "kecamatan_put", kab, kec, body=kecamatan_body(kec, 7))
    replica = dataclasses.replace(SPEC, schema=service.schema)
    async with running(replica, settings.model_copy(update={"kabupaten": kab})) as other:
        before = await service.store.last_seq(kab)
        months = [1, 2, 3, 4, 3, 3]
        replies = await asyncio.gather(
            *(call(nc, "schedule", kab, kec, body={"year": 2023, "month": m}) for m in months)
        )
        assert sorted(r.status for r in replies) == [200, 200, 201, 201, 201, 201]
        visit = next(a for a in replies[0].data["activities"] if a["kind"] == "SERASA_DESA")
        hold, cancel = await asyncio.gather(
            call(nc, "activity_held", kab, kec, params={"id": visit["id"]},
                 body={"held_on": visit["date"], "attendance": {"officials": 1, "residents": 2}}),
            call(nc, "activity_cancel", kab, kec, params={"id": visit["id"]},
                 body={"reason": "bentrok"}),
        )  # fmt: skip
        await settle(kab, service, other)
    assert replies[2].data == replies[4].data == replies[5].data
    planned = sum(len(r.data["activities"]) for r in replies[:4])
    assert await service.store.last_seq(kab) == before + planned + 1
    fridays = [a["host_desa"] for r in replies[:4] for a in r.data["activities"]
               if a["kind"] != "SERASA_DESA"]  # fmt: skip
    assert len(fridays) == 16, "four months of four Fridays, one rotation over seven desa"
    twice = Counter(f"{dot(kec)}.{2001 + i}" for i in range(7) for _ in range(2))
    assert Counter(fridays) == twice + Counter([f"{dot(kec)}.2001", f"{dot(kec)}.2002"])
    assert sorted([hold.status, cancel.status]) == [200, 409]
    loser = cancel if cancel.status == 409 else hold
    assert loser.error is not None
    assert loser.error["code"] in {"ALREADY_HELD", "ACTIVITY_CANCELLED"}


async def test_a_retried_command_appends_once_and_answers_the_same(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    await call(nc, "kecamatan_put", kab, kec, body=kecamatan_body(kec))
    month = await call(nc, "schedule", kab, kec, body={"year": 2024, "month": 2})
    visit = next(a for a in month.data["activities"] if a["kind"] == "SERASA_DESA")
    body = {"held_on": visit["date"], "attendance": {"officials": 3, "residents": 9}}
    params = {"id": visit["id"]}
    first = await call(nc, "activity_held", kab, kec, params=params, body=body, command_id="h1")
    last = await service.store.last_seq(kab)
    retry = await call(nc, "activity_held", kab, kec, params=params, body=body, command_id="h1")
    assert (retry.status, retry.position, retry.data) == (first.status, first.position, first.data)
    assert await service.store.last_seq(kab) == last
