"""Keeping a process's memory of some subjects current: an ordered push consumer hands each
stored message to `absorb`, once, in order; `ready` once it has delivered what the stream
held when it began (before that, memory may lag the log and the caller asks the log)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext

HEARTBEAT_S = 1.0
"""A follower that misses two heartbeats is recreated from the last message it absorbed."""


@dataclass
class Following:
    """One follower: the last stream sequence absorbed and whether memory is current."""

    sub: JetStreamContext.PushSubscription | None = None
    upto: int = 0
    ready: bool = False

    async def stop(self) -> None:
        self.ready = False
        if self.sub is not None:
            with contextlib.suppress(Exception):
                await self.sub.unsubscribe()


async def follow(
    js: JetStreamContext,
    stream: str,
    subjects: Sequence[str],
    absorb: Callable[[Msg], None],
    *,
    deliver_policy: DeliverPolicy | None = None,
    headers_only: bool = False,
) -> Following:
    """Start following `subjects` of `stream` from its first message (or per
    `deliver_policy`). Raises as `js.subscribe` does (no stream yet: `NotFoundError`)."""
    following = Following()

    async def delivered(msg: Msg) -> None:
        meta = msg.metadata
        if meta.sequence.stream > following.upto:
            absorb(msg)
            following.upto = meta.sequence.stream
        if meta.num_pending == 0:
            following.ready = True

    following.sub = await js.subscribe(
        subjects[0],
        stream=stream,
        cb=delivered,
        ordered_consumer=True,
        idle_heartbeat=HEARTBEAT_S,
        deliver_policy=deliver_policy,
        headers_only=headers_only or None,
        config=ConsumerConfig(filter_subjects=list(subjects)) if len(subjects) > 1 else None,
    )
    info = await following.sub.consumer_info()
    sent = info.delivered.stream_seq if info.delivered and info.delivered.consumer_seq else 0
    if not info.num_pending and (sent or 0) <= following.upto:
        following.ready = True
    return following
