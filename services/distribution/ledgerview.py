"""The ledger's read models: rounds, packages (with their BAST number and who received them,
masked), the monthly figures, the evidence attached, and the stock."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.distribution.projections import tenant_of
from services.distribution.receivers import opened_name
from shared.crypto import mask_name
from shared.db import DbConn, insert_rows, update_rows, upsert_rows
from shared.events.distribution import (
    SERVICE,
    HouseholdForgotten,
    PackageDistributed,
    PackageEvidenceAttached,
    RoundClosed,
    RoundOpened,
    StockAdjusted,
)
from shared.events.donations import PackagesProcured
from shared.keys import KeyStore
from shared.log.reader import StoredEvent

FUND_SUBJECT = ".donations.fund."
LEDGER_SUBJECT = f".{SERVICE}.ledger."
PACKAGE_COLUMNS = (
    *("package_id", "kab", "kec", "round_id", "household_id", "desa", "month"),
    *("distributed_on", "procurement_id", "value_idr", "bast_no", "relation"),
    *("received_name_masked", "seq"),
)
EVIDENCE_COLUMNS = (
    *("evidence_id", "kab", "kec", "package_id", "sha256", "size", "content_type"),
    *("object_name", "seq"),
)
Tenant = tuple[str, str]


def of_type(events: Sequence[StoredEvent], kind: type[Any]) -> list[tuple[StoredEvent, Any]]:
    return [(s, s.event) for s in events if s.head.type == kind.type_name()]


@dataclass
class LedgerProjection:
    """`rounds`, `packages`, `monthly` (per desa and month: packages, value, households
    reached), `evidence` and `stock` (procured from the fund's `PackagesProcured`, handed
    out, adjusted). A receiver's name is masked from the sealed event with the household's
    key; once the household is forgotten (its key shredded) it is gone from here too."""

    keys: KeyStore
    name: str = "ledger"
    tables: Sequence[str] = ("rounds", "packages", "monthly", "stock", "evidence")

    def filters(self, kab: str) -> list[str]:
        return [
            f"smart.{kab}.*.{SERVICE}.ledger.*",
            f"smart.{kab}.*.donations.fund.*",
            f"smart.{kab}.*.{SERVICE}.household.*",
        ]

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None:
        procured: Counter[Tenant] = Counter()
        for stored, lot in of_type(events, PackagesProcured):
            if FUND_SUBJECT in stored.subject:
                procured[tenant_of(stored)] += lot.packages
        mine = [s for s in events if LEDGER_SUBJECT in s.subject]
        await self._rounds(conn, mine)
        handed = await self._packages(conn, mine)
        await self._evidence(conn, mine)
        adjusted: Counter[Tenant] = Counter()
        for stored, adjustment in of_type(mine, StockAdjusted):
            adjusted[tenant_of(stored)] += adjustment.packages
        await upsert_rows(
            conn,
            "stock",
            ("kab", "kec", "procured", "distributed", "adjusted"),
            [
                (kab, kec, procured[(kab, kec)], handed[(kab, kec)], adjusted[(kab, kec)])
                for kab, kec in sorted(set(procured) | set(handed) | set(adjusted))
            ],
            "on conflict (kab, kec) do update set procured = stock.procured + excluded.procured,"
            " distributed = stock.distributed + excluded.distributed,"
            " adjusted = stock.adjusted + excluded.adjusted",
        )
        await self._forgotten(conn, events)

    async def _rounds(self, conn: DbConn, events: list[StoredEvent]) -> None:
        await insert_rows(
            conn,
            "rounds",
            ("round_id", "kab", "kec", "desa", "month", "quota"),
            [
                (ev.round_id, *tenant_of(s), ev.desa, ev.month, ev.quota)
                for s, ev in of_type(events, RoundOpened)
            ],
            "on conflict (round_id) do nothing",
        )
        closed = {ev.round_id for _, ev in of_type(events, RoundClosed)}
        await update_rows(
            conn, "rounds", ("round_id",), (), [(r,) for r in sorted(closed)], "closed = true"
        )

    async def _receivers(self, conn: DbConn, handed: list[PackageDistributed]) -> dict[str, str]:
        """Each named receiver's masked name, while its household's key lives."""
        named = [ev for ev in handed if ev.received_name is not None]
        keys = await self.keys.opened(conn, {ev.household_id for ev in named})
        return {
            ev.package_id: mask_name(opened_name(keys[ev.household_id], ev))
            for ev in named
            if ev.household_id in keys
        }

    async def _packages(self, conn: DbConn, events: list[StoredEvent]) -> Counter[Tenant]:
        found = of_type(events, PackageDistributed)
        masked = await self._receivers(conn, [ev for _, ev in found])
        rows = [
            (
                *(ev.package_id, *tenant_of(s), ev.round_id, ev.household_id, ev.desa),
                *(ev.month, ev.distributed_on, ev.procurement_id, ev.value_idr, ev.bast_no),
                ev.relation.value if ev.relation else None,
                masked.get(ev.package_id),
                s.seq,
            )
            for s, ev in found
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

    async def _evidence(self, conn: DbConn, events: list[StoredEvent]) -> None:
        await insert_rows(
            conn,
            "evidence",
            EVIDENCE_COLUMNS,
            [
                (
                    *(ev.evidence_id, *tenant_of(s), ev.package_id, ev.sha256, ev.size),
                    *(ev.content_type, ev.object_name, s.seq),
                )
                for s, ev in of_type(events, PackageEvidenceAttached)
            ],
            "on conflict (evidence_id) do nothing",
        )

    @staticmethod
    async def _forgotten(conn: DbConn, events: Sequence[StoredEvent]) -> None:
        gone = sorted({ev.household_id for _, ev in of_type(events, HouseholdForgotten)})
        if gone:
            await conn.execute(
                "update packages set received_name_masked = null"
                " where household_id = any($1::text[]) and received_name_masked is not null",
                gone,
            )

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
