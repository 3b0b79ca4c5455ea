"""Connecting a command to the deployment's servers, bounded in time: a server that cannot
be reached is an error the command reports (exit 2) within seconds, not a retry forever."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

import asyncpg
import nats.errors
from nats.aio.client import Client as NATS

from services.cli.context import CannotRun
from shared.db import create_pool
from shared.infra.credentials import public

NATS_CONNECT_S = 6.0
DB_CONNECT_S = 5.0
CONNECT_ATTEMPTS = 2  # per server, a second apart, before giving up on it
RECONNECT_ATTEMPTS = 60  # once connected, as nats-py would (a long replay rides out a blip)
log = logging.getLogger("smart.cli")


@dataclass
class _Errors:
    """What nats-py reports: while connecting, the last error is kept for the message (not
    logged on every retry); once connected, errors are logged."""

    last: Exception | None = None
    connected: bool = False

    async def report(self, exc: Exception) -> None:
        self.last = exc
        if self.connected:
            log.warning("nats: %s", exc)


async def reach_nats(servers: list[str], name: str, **options: Any) -> NATS:
    """A connection to one of `servers` within `NATS_CONNECT_S`, or `CannotRun`."""
    if not servers:
        raise CannotRun("no NATS server: set SMART_NATS_URL or give --data-dir")
    nc, errors = NATS(), _Errors()
    connecting = nc.connect(
        servers=servers,
        name=name,
        connect_timeout=3,
        reconnect_time_wait=1,
        max_reconnect_attempts=CONNECT_ATTEMPTS,
        error_cb=errors.report,
        **options,
    )
    try:
        await asyncio.wait_for(connecting, NATS_CONNECT_S)
    except (TimeoutError, OSError, nats.errors.Error) as exc:
        with contextlib.suppress(Exception):
            await nc.close()
        why = errors.last or exc
        raise CannotRun(
            f"cannot reach NATS at {public(','.join(servers))}: {why or 'no answer'}"
        ) from None
    errors.connected = True
    nc.options["max_reconnect_attempts"] = RECONNECT_ATTEMPTS  # read again at each reconnect
    return nc


async def reach_db(url: str | None, max_size: int = 4) -> asyncpg.Pool:
    """A pool on PostgreSQL at `url` within `DB_CONNECT_S`, or `CannotRun`."""
    if not url:
        raise CannotRun("no PostgreSQL server: set SMART_DATABASE_URL or give --data-dir")
    try:
        return await asyncio.wait_for(create_pool(url, max_size=max_size), DB_CONNECT_S)
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise CannotRun(f"cannot reach PostgreSQL at {public(url)}: {exc or 'no answer'}") from None
