"""Long commands as jobs (shared/edge/jobs.py) and the RPC caller that asks again while a job
answers 202 (shared/edge/rpc.py `call`), without servers."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import pytest

from shared.edge.jobs import Jobs, Pending, Progress
from shared.edge.kit import reply_of
from shared.edge.rpc import (
    PACK_ABOVE,
    STILL_WORKING,
    RequestTooLarge,
    RpcReply,
    RpcRequest,
    call,
    encode,
)

pytestmark = pytest.mark.unit


async def test_a_job_done_in_time_answers_its_result_and_a_repeat_joins_it() -> None:
    jobs: Jobs[str] = Jobs(wait_s=1.0)
    started = 0

    async def work(progress: Progress) -> str:
        nonlocal started
        started += 1
        return "done"

    assert await jobs.answer("k", work) == "done"
    assert await jobs.answer("k", work) == "done"
    assert started == 1


async def test_a_long_job_answers_how_far_it_is_until_it_is_done() -> None:
    jobs: Jobs[int] = Jobs(wait_s=0.05)
    release = asyncio.Event()

    async def work(progress: Progress) -> int:
        progress.total = 3
        progress.advance()
        await release.wait()
        progress.advance(2)
        return 3

    assert await jobs.answer("k", work) == Pending(done=1, total=3)
    assert await jobs.answer("k", work) == Pending(done=1, total=3)
    release.set()
    assert await jobs.answer("k", work) == 3


async def test_a_job_nobody_asks_about_is_cancelled_so_nothing_more_of_it_happens() -> None:
    jobs: Jobs[int] = Jobs(wait_s=0.01, lease_s=0.2)
    steps: list[int] = []

    async def work(progress: Progress) -> int:
        for n in range(100):
            steps.append(n)
            await asyncio.sleep(0.02)
        return len(steps)

    assert isinstance(await jobs.answer("k", work), Pending)
    await asyncio.sleep(0.6)
    stopped_at = len(steps)
    await asyncio.sleep(0.2)
    assert len(steps) == stopped_at < 100
    again = await jobs.answer("k", work)
    assert isinstance(again, Pending)  # a new ask after the cancel starts it anew
    jobs.cancel_all()


async def test_a_jobs_refusal_reaches_the_ask_that_fetches_it() -> None:
    jobs: Jobs[int] = Jobs(wait_s=0.01)
    release = asyncio.Event()

    async def work(progress: Progress) -> int:
        await release.wait()
        raise ValueError("refused")

    assert isinstance(await jobs.answer("k", work), Pending)
    release.set()
    with pytest.raises(ValueError, match="refused"):
        await jobs.answer("k", work)


class Replies:
    """A NATS stand-in answering each request with the next reply of a script."""

    is_connected = True
    max_payload = 8 * 1024 * 1024

    def __init__(self, *replies: RpcReply) -> None:
        self.replies = list(replies)
        self.sent: list[bytes] = []

    async def request(self, subject: str, data: bytes, timeout: float) -> Any:
        self.sent.append(data)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

        class Msg:
            pass

        msg = Msg()
        msg.data = reply.model_dump_json().encode()  # type: ignore[attr-defined]
        return msg


def request(body: Any = None) -> RpcRequest:
    return RpcRequest(kab="3520", kec="352005", body=body)


async def test_the_caller_asks_again_with_the_same_request_until_the_final_reply() -> None:
    final = RpcReply(status=201, position=9, data={"accepted": 2})
    nc = Replies(
        RpcReply(status=202, data={"done": 0, "total": 2}),
        RpcReply(status=202, data={"done": 1, "total": 2}),
        final,
    )
    reply = await call(nc, "distribution", "household_import", request({"csv": "x"}))  # type: ignore[arg-type]
    assert reply == final
    assert len(nc.sent) == 3
    assert len(set(nc.sent)) == 1


async def test_the_caller_gives_up_on_a_job_that_makes_no_progress() -> None:
    nc = Replies(RpcReply(status=202, data={"done": 5, "total": 9}))
    with pytest.raises(TimeoutError):
        await call(nc, "distribution", "household_import", request())  # type: ignore[arg-type]
    assert len(nc.sent) == 7


def test_a_large_body_travels_compressed_and_is_read_whole() -> None:
    text = "no_kk,nik\n" + "3520050101080001,3520054101900001\n" * 60_000
    sent = encode(request({"csv": text}), 8 * 1024 * 1024)
    assert len(text) > PACK_ABOVE > len(sent)
    assert json.loads(sent)["body"] is None
    assert RpcRequest.model_validate_json(sent).body == {"csv": text}


def test_a_small_body_travels_as_it_is() -> None:
    sent = encode(request({"name": "x"}), 8 * 1024 * 1024)
    assert json.loads(sent)["body"] == {"name": "x"}


def test_a_body_too_large_even_compressed_is_refused_413() -> None:
    noise = random.Random(7).randbytes(1_200_000).hex()
    with pytest.raises(RequestTooLarge) as caught:
        encode(request({"csv": noise}), 1_000_000)
    assert caught.value.status == 413
    assert caught.value.field == "body"


def test_a_handler_answering_pending_is_replied_202_with_how_far_it_is() -> None:
    assert reply_of(Pending(done=4, total=9)) == RpcReply(
        status=STILL_WORKING, data={"done": 4, "total": 9}
    )
    assert STILL_WORKING == 202
