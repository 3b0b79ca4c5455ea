"""A long-lived NATS connection whose reconnects are logged as one line each.

nats-py's default error callback logs every disconnect with a full traceback, so a server
restart (which `smart up` survives) filled the log with stack traces of a normal event."""

from __future__ import annotations

import logging
from typing import Any

import nats
from nats.aio.client import Client as NATS

log = logging.getLogger("smart.nats")


async def _error(exc: Exception) -> None:
    log.warning("nats: %s: %s", type(exc).__name__, exc or "connection lost")


async def _disconnected() -> None:
    log.info("nats: disconnected, reconnecting")


async def _reconnected() -> None:
    log.info("nats: reconnected")


async def connect_forever(servers: list[str], name: str, **options: Any) -> NATS:
    """A connection that reconnects without end; `options` as for `nats.connect`."""
    return await nats.connect(
        servers=servers,
        name=name,
        max_reconnect_attempts=-1,
        error_cb=_error,
        disconnected_cb=_disconnected,
        reconnected_cb=_reconnected,
        **options,
    )
