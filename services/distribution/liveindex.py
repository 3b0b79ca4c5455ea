"""What the claims index is written from: a kabupaten's live households, read from the log
and opened with their data keys (never from a read model, never from an HMAC)."""

from __future__ import annotations

from nats.aio.client import Client

from services.distribution.claims import LiveHouseholds
from services.distribution.personal import unseal
from shared.db import DbConn
from shared.events.distribution import (
    SERVICE,
    HouseholdChanged,
    HouseholdForgotten,
    HouseholdRegistered,
)
from shared.keys import KeyEpochGone, KeyStore
from shared.log.reader import StoredEvent, read_pages
from shared.tenancy import stream_name

Sealed = dict[str, tuple[str, str]]
"""household_id -> (its kecamatan, its latest sealed personal record)."""


def fold(sealed: Sealed, page: list[StoredEvent]) -> int:
    """The page's households folded in; the last position it holds."""
    last = 0
    for stored in page:
        event, last = stored.event, stored.seq
        if isinstance(event, HouseholdRegistered):
            sealed[event.household_id] = (stored.head.kecamatan, event.personal)
        elif isinstance(event, HouseholdChanged) and event.personal is not None:
            if event.household_id in sealed:
                sealed[event.household_id] = (sealed[event.household_id][0], event.personal)
        elif isinstance(event, HouseholdForgotten):
            sealed.pop(event.household_id, None)
    return last


async def sealed_households(nc: Client, kab: str) -> tuple[Sealed, int]:
    sealed: Sealed = {}
    covers = 0
    subjects = f"smart.{kab}.*.{SERVICE}.household.*"
    async for page in read_pages(nc, stream_name(kab), subjects):
        covers = max(covers, fold(sealed, page))
    return sealed, covers


async def opened(keys: KeyStore, conn: DbConn, sealed: Sealed) -> LiveHouseholds:
    """Each household whose key still opens (a forgotten one's does not)."""
    for _ in range(3):
        try:
            found = await keys.opened(conn, list(sealed))
        except KeyEpochGone:
            continue  # the data keys were re-wrapped meanwhile: read them again
        return {
            hid: (kec, unseal(found[hid], hid, token))
            for hid, (kec, token) in sealed.items()
            if hid in found
        }
    raise KeyEpochGone("the data keys kept being re-wrapped")


async def live_households(
    nc: Client, keys: KeyStore, kab: str, conn: DbConn
) -> tuple[LiveHouseholds, int]:
    sealed, covers = await sealed_households(nc, kab)
    return await opened(keys, conn, sealed), covers
