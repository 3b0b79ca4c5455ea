"""Read models of the distribution service: recipients (masked), the kecamatan and its desa
(the ledger's rounds, packages and stock: ledgerview.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.distribution.personal import Personal, unseal
from shared.crypto import mask_name, mask_number
from shared.db import DbConn, insert_rows
from shared.events.distribution import (
    SERVICE,
    HouseholdAidStatusChanged,
    HouseholdChanged,
    HouseholdForgotten,
    HouseholdRegistered,
)
from shared.events.scheduler import KecamatanConfigured
from shared.keys import KeyStore
from shared.log.reader import StoredEvent


def tenant_of(stored: StoredEvent) -> tuple[str, str]:
    return stored.head.kabupaten, stored.head.kecamatan


def forgets_per_kab(events: Sequence[StoredEvent]) -> dict[str, int]:
    """The last position of a forget per kabupaten: the claims index is stale up to it
    until a rotation of the lookup key has read that far (shared/lookupkeys.py)."""
    last: dict[str, int] = {}
    for stored in events:
        if isinstance(stored.event, HouseholdForgotten):
            kab = stored.head.kabupaten
            last[kab] = max(last.get(kab, 0), stored.seq)
    return last


HOUSEHOLD_COLUMNS = (
    *("household_id", "kab", "kec", "desa", "desil", "registry", "snapshot_date", "aid"),
    *("name_masked", "nik_masked", "member_names_masked", "member_niks_masked"),
)


def members_masked(person: Personal | None) -> tuple[list[str] | None, list[str] | None]:
    """The members' masked names and NIKs (None when the record could not be opened)."""
    if person is None:
        return None, None
    return [mask_name(m.name) for m in person.members], [mask_number(m.nik) for m in person.members]


@dataclass
class HouseholdsProjection:
    """`households` (masked: first letters of the name, NIK as `3520********0001`) and their
    `aid_changes`. Masked forms come from opening the sealed data with the household's key;
    a forgotten household keeps no masked data."""

    keys: KeyStore
    name: str = "households"
    tables: Sequence[str] = ("households", "aid_changes")

    def filters(self, kab: str) -> list[str]:
        return [f"smart.{kab}.*.{SERVICE}.household.*"]

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        registered = [e for e in events if isinstance(e.event, HouseholdRegistered)]
        changes = {
            (ev.household_id, ev.as_of): (*tenant_of(e), list(ev.aid))
            for e in events
            if isinstance(ev := e.event, HouseholdAidStatusChanged)
        }
        forgotten = [
            ev.household_id
            for ev in (e.event for e in events)
            if isinstance(ev, HouseholdForgotten)
        ]
        await self._register(conn, registered)
        await self._changed(conn, [e for e in events if isinstance(e.event, HouseholdChanged)])
        await insert_rows(
            conn,
            "aid_changes",
            ("household_id", "as_of", "kab", "kec", "aid"),
            [(hid, as_of, *rest) for (hid, as_of), rest in changes.items()],
            "on conflict (household_id, as_of) do update set aid = excluded.aid",
        )
        await conn.executemany(
            "update households set name_masked = null, nik_masked = null,"
            " member_names_masked = '{}', member_niks_masked = '{}', forgotten = true"
            " where household_id = $1",
            [(hid,) for hid in forgotten],
        )
        await self.keys.forgotten(conn, forgotten)
        for kab, seq in sorted(forgets_per_kab(events).items()):
            await self.keys.lookups.forgotten(conn, kab, seq)

    async def _changed(self, conn: DbConn, stored: list[StoredEvent]) -> None:
        """Each change in log order: the fields it gives, the masks of a new record."""
        events = [ev for s in stored if isinstance(ev := s.event, HouseholdChanged)]
        sealed = [ev.household_id for ev in events if ev.personal is not None]
        keys = await self.keys.opened(conn, sealed) if sealed else {}
        rows = []
        for ev in events:
            key = keys.get(ev.household_id)
            person = unseal(key, ev.household_id, ev.personal) if key and ev.personal else None
            registry = ev.registry.value if ev.registry else None
            masked = person.name_masked if person else None
            names, niks = members_masked(person)
            rows.append(
                (
                    ev.household_id,
                    ev.desa,
                    ev.desil,
                    registry,
                    ev.snapshot_date,
                    masked,
                    names,
                    niks,
                )
            )
        await conn.executemany(
            "update households set desa = coalesce($2, desa), desil = coalesce($3, desil),"
            " registry = coalesce($4, registry), snapshot_date = coalesce($5, snapshot_date),"
            " name_masked = coalesce($6, name_masked),"
            " member_names_masked = coalesce($7, member_names_masked),"
            " member_niks_masked = coalesce($8, member_niks_masked)"
            " where household_id = $1 and not forgotten",
            rows,
        )

    async def _register(self, conn: DbConn, stored: list[StoredEvent]) -> None:
        events = [
            (tenant_of(s), ev) for s in stored if isinstance(ev := s.event, HouseholdRegistered)
        ]
        keys = await self.keys.opened(conn, [ev.household_id for _, ev in events])
        rows = []
        for (kab, kec), ev in events:
            key = keys.get(ev.household_id)
            person = unseal(key, ev.household_id, ev.personal) if key else None
            rows.append(
                (
                    ev.household_id,
                    kab,
                    kec,
                    ev.desa,
                    ev.desil,
                    ev.registry.value,
                    ev.snapshot_date,
                    [a.value for a in ev.aid],
                    person.name_masked if person else None,
                    person.nik_masked if person else None,
                    *((m or []) for m in members_masked(person)),
                )
            )
        await insert_rows(
            conn, "households", HOUSEHOLD_COLUMNS, rows, "on conflict (household_id) do nothing"
        )


@dataclass
class KecamatanProjection:
    """`kecamatan` and its `desa` in rotation order, from the latest `KecamatanConfigured`."""

    name: str = "kecamatan"
    tables: Sequence[str] = ("kecamatan", "desa")

    def filters(self, kab: str) -> list[str]:
        return [f"smart.{kab}.*.scheduler.kecamatan.*"]

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        latest: dict[tuple[str, str], KecamatanConfigured] = {}
        for stored in events:
            if stored.head.type == KecamatanConfigured.type_name():
                config = stored.event
                assert isinstance(config, KecamatanConfigured)
                latest[tenant_of(stored)] = config
        for (kab, kec), config in sorted(latest.items()):
            await conn.execute(
                "insert into kecamatan(kab, kec, name) values ($1, $2, $3)"
                " on conflict (kab, kec) do update set name = excluded.name",
                kab,
                kec,
                config.name,
            )
            await conn.execute("delete from desa where kab = $1 and kec = $2", kab, kec)
            await conn.executemany(
                "insert into desa(kab, kec, code, name, position) values ($1, $2, $3, $4, $5)",
                [(kab, kec, d.code, d.name, i) for i, d in enumerate(config.desa)],
            )
