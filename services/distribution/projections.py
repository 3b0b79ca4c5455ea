"""Read models of the distribution service: recipients (masked), rounds, packages, stock."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from services.distribution.personal import unseal
from shared.db import DbConn, insert_rows, update_rows, upsert_rows
from shared.events.distribution import (
    SERVICE,
    HouseholdAidStatusChanged,
    HouseholdForgotten,
    HouseholdRegistered,
    PackageDistributed,
    RoundClosed,
    RoundOpened,
)
from shared.events.donations import PackagesProcured
from shared.events.scheduler import KecamatanConfigured
from shared.keys import KeyStore
from shared.log.reader import StoredEvent

FUND_SUBJECT = ".donations.fund."


def tenant_of(stored: StoredEvent) -> tuple[str, str]:
    return stored.head.kabupaten, stored.head.kecamatan


HOUSEHOLD_COLUMNS = (
    *("household_id", "kab", "kec", "desa", "desil", "registry", "snapshot_date", "aid"),
    *("name_masked", "nik_masked"),
)
PACKAGE_COLUMNS = (
    *("package_id", "kab", "kec", "round_id", "household_id", "desa", "month"),
    *("distributed_on", "procurement_id", "value_idr"),
)


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
        await insert_rows(
            conn,
            "aid_changes",
            ("household_id", "as_of", "kab", "kec", "aid"),
            [(hid, as_of, *rest) for (hid, as_of), rest in changes.items()],
            "on conflict (household_id, as_of) do update set aid = excluded.aid",
        )
        await conn.executemany(
            "update households set name_masked = null, nik_masked = null, forgotten = true"
            " where household_id = $1",
            [(hid,) for hid in forgotten],
        )
        await self.keys.forgotten(conn, forgotten)

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
                )
            )
        await insert_rows(
            conn, "households", HOUSEHOLD_COLUMNS, rows, "on conflict (household_id) do nothing"
        )


@dataclass
class LedgerProjection:
    """`rounds`, `packages`, `monthly` (per desa and month: packages, value, households
    reached) and `stock` (procured from the fund's `PackagesProcured` minus handed out)."""

    name: str = "ledger"
    tables: Sequence[str] = ("rounds", "packages", "monthly", "stock")

    def filters(self, kab: str) -> list[str]:
        return [f"smart.{kab}.*.{SERVICE}.ledger.*", f"smart.{kab}.*.donations.fund.*"]

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        procured: Counter[tuple[str, str]] = Counter()
        mine: list[StoredEvent] = []
        for stored in events:
            if FUND_SUBJECT not in stored.subject:
                mine.append(stored)
            elif stored.head.type == PackagesProcured.type_name():
                lot = stored.event
                assert isinstance(lot, PackagesProcured)
                procured[tenant_of(stored)] += lot.packages
        await self._rounds(conn, mine)
        handed = await self._packages(conn, mine)
        await upsert_rows(
            conn,
            "stock",
            ("kab", "kec", "procured", "distributed"),
            [
                (kab, kec, procured[(kab, kec)], handed[(kab, kec)])
                for kab, kec in sorted(set(procured) | set(handed))
            ],
            "on conflict (kab, kec) do update set procured = stock.procured + excluded.procured,"
            " distributed = stock.distributed + excluded.distributed",
        )

    async def _rounds(self, conn: DbConn, events: list[StoredEvent]) -> None:
        opened = [(s, s.event) for s in events if isinstance(s.event, RoundOpened)]
        await insert_rows(
            conn,
            "rounds",
            ("round_id", "kab", "kec", "desa", "month", "quota"),
            [
                (ev.round_id, *tenant_of(s), ev.desa, ev.month, ev.quota)
                for s, ev in opened
                if isinstance(ev, RoundOpened)
            ],
            "on conflict (round_id) do nothing",
        )
        closed = {ev.round_id for ev in (s.event for s in events) if isinstance(ev, RoundClosed)}
        await update_rows(
            conn, "rounds", ("round_id",), (), [(r,) for r in sorted(closed)], "closed = true"
        )

    async def _packages(self, conn: DbConn, events: list[StoredEvent]) -> Counter[tuple[str, str]]:
        rows = [
            (
                ev.package_id,
                *tenant_of(s),
                ev.round_id,
                ev.household_id,
                ev.desa,
                ev.month,
                ev.distributed_on,
                ev.procurement_id,
                ev.value_idr,
            )
            for s, ev in ((s, s.event) for s in events)
            if isinstance(ev, PackageDistributed)
        ]
        await insert_rows(conn, "packages", PACKAGE_COLUMNS, rows, "on conflict do nothing")
        per_round = Counter(r[3] for r in rows)
        await update_rows(
            conn,
            "rounds",
            ("round_id",),
            ("packages",),
            sorted(per_round.items()),
            "packages = rounds.packages + v.packages",
        )
        await self._monthly(conn, sorted({(r[1], r[2], r[5], r[6]) for r in rows}))
        return Counter((r[1], r[2]) for r in rows)

    @staticmethod
    async def _monthly(conn: DbConn, touched: list[tuple[str, str, str, str]]) -> None:
        """Recount each touched (kab, kec, desa, month) from its packages."""
        await conn.executemany(
            "insert into monthly(kab, kec, desa, month, packages, value_idr, households_reached)"
            " select kab, kec, desa, month, count(*), sum(value_idr),"
            " count(distinct household_id) from packages"
            " where kab = $1 and kec = $2 and desa = $3 and month = $4"
            " group by kab, kec, desa, month"
            " on conflict (kab, kec, desa, month) do update set packages = excluded.packages,"
            " value_idr = excluded.value_idr, households_reached = excluded.households_reached",
            touched,
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
