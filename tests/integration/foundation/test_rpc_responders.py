"""A request nobody serves: retried while a replica may be restarting, or known at once by a
caller that asks for that (the province page, reading every kabupaten's stream)."""

from __future__ import annotations

import random
import time

import pytest
from nats.aio.client import Client as NATS
from nats.errors import NoRespondersError

from shared.edge.rpc import NO_RESPONDER_RETRIES, RpcRequest, call

pytestmark = pytest.mark.integration


def _unserved() -> RpcRequest:
    kab = str(random.randint(9900, 9999))  # no service of the test servers serves these
    return RpcRequest(kab=kab, kec="", actor="test", params={"year": 2024})


async def _refused_after(nc: NATS, retries: int) -> float:
    began = time.monotonic()
    with pytest.raises(NoRespondersError):
        await call(nc, "scheduler", "kabupaten_summary", _unserved(), retries=retries)
    return time.monotonic() - began


async def test_an_impatient_call_knows_at_once_that_nobody_serves_the_subject(nc: NATS) -> None:
    patient = await _refused_after(nc, NO_RESPONDER_RETRIES)
    impatient = await _refused_after(nc, 1)
    assert patient >= 0.1 * sum(range(1, NO_RESPONDER_RETRIES)) * 0.9  # it waited, retrying
    assert impatient < patient / 10
