"""Direct gets beyond paging: the last message of many subjects at once, up to a sequence."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg

from shared.log.reader import LogUnavailable, StoredEvent

MULTI_LAST_SUBJECTS = 200  # per request: the server caps the subjects one may name


async def direct_lasts(
    nc: NATS, stream: str, subjects: Sequence[str], up_to_seq: int | None = None
) -> dict[str, StoredEvent]:
    """The last event (at or before `up_to_seq`, if given) of each subject that has one, by
    subject: a few batched direct gets (`multi_last`) for any number of subjects."""
    found: dict[str, StoredEvent] = {}
    for start in range(0, len(subjects), MULTI_LAST_SUBJECTS):
        chunk = list(subjects[start : start + MULTI_LAST_SUBJECTS])
        request: dict[str, object] = {"multi_last": chunk, "batch": len(chunk)}
        if up_to_seq is not None:
            request["up_to_seq"] = up_to_seq
        for event in await _batch(nc, stream, request):
            found[event.subject] = event
    return found


async def _batch(nc: NATS, stream: str, request: dict[str, object]) -> list[StoredEvent]:
    """The messages of one batched direct get, up to its end-of-batch status."""
    events: list[StoredEvent] = []
    ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def collect(msg: Msg) -> None:
        headers = msg.headers or {}
        status = headers.get("Status")
        if ended.done():
            return
        if status in ("204", "404"):
            ended.set_result(None)
        elif status:
            ended.set_exception(LogUnavailable(f"stream {stream} answered {status}"))
        else:
            seq, subject = int(headers["Nats-Sequence"]), headers["Nats-Subject"]
            events.append(StoredEvent(seq, subject, msg.data))

    inbox = nc.new_inbox()
    sub = await nc.subscribe(inbox, cb=collect)
    try:
        data = json.dumps(request).encode()
        await nc.publish(f"$JS.API.DIRECT.GET.{stream}", data, reply=inbox)
        try:
            await asyncio.wait_for(ended, 10.0)
        except TimeoutError:
            raise LogUnavailable(f"stream {stream} did not answer a read") from None
    finally:
        await sub.unsubscribe()
    return events
