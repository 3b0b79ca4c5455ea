"""A synthetic kecamatan that keeps every rule: its events one month at a time, per aggregate."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from bench.ledger import Batch, Fund, Ledger
from services.scheduler.domain import schedule
from services.scheduler.rota import days_off, is_working_day
from services.scheduler.state import Rota, Setup, evolve_rota, evolve_setup
from shared.contracts.scheduler import ScheduleMonth
from shared.crypto import seal_text
from shared.events.base import DomainEvent
from shared.events.distribution import (
    Aid,
    HouseholdAidStatusChanged,
    HouseholdChanged,
    HouseholdForgotten,
    HouseholdRegistered,
    Registry,
    household_ref,
)
from shared.events.integrity import (
    FindingCategory,
    FindingDismissed,
    FindingFollowedUp,
    FindingRecorded,
    FindingResolved,
    FindingSeverity,
    FindingSource,
    SubjectType,
    finding_ref,
)
from shared.events.scheduler import (
    ActivityCancelled,
    ActivityHeld,
    ActivityKind,
    ActivityRescheduled,
    ActivityScheduled,
    Desa,
    KecamatanConfigured,
    kecamatan_ref,
    rota_ref,
)
from shared.tenancy import Tenant

HOUSEHOLDS_PER_DESA = 15
TEXT_KEY = bytes(32)


@dataclass
class Household:
    household_id: str
    desa: str
    aid: list[Aid]
    changes: dict[date, list[Aid]] = field(default_factory=dict)
    forgotten: bool = False

    def eligible_on(self, day: date) -> bool:
        held = self.aid
        for as_of in sorted(self.changes):
            if as_of <= day:
                held = self.changes[as_of]
        return not self.forgotten and not {Aid.PKH, Aid.BPNT, Aid.BLT_DD} & set(held)


class Kecamatan:
    """One tenant's history: set-up, rota, fund, households, rounds and findings."""

    def __init__(self, tenant: Tenant, desa: int, secret: str, seed: int) -> None:
        self.tenant, self.secret = tenant, secret
        self.rng = random.Random(f"{seed}:{tenant.kec}")
        kec = tenant.kec_dotted
        self.desa = [Desa(code=f"{kec}.{2001 + i}", name=f"Desa {i + 1:02d}") for i in range(desa)]
        self.units = ["Kantor Kecamatan", *(f"Pemerintah {d.name}" for d in self.desa)]
        self.rota = Rota()
        self.setup: Setup | None = None
        self.fund = Fund(tenant, self.rng)
        self.ledger = Ledger(tenant, self.rng)
        self.households: dict[str, list[Household]] = {d.code: [] for d in self.desa}
        self.open_findings: list[str] = []
        self.keys: list[tuple[str, bytes]] = []
        self.numbers = 0

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def configure(self, on: date) -> Batch:
        event = KecamatanConfigured(
            kecamatan=self.tenant.kec_dotted,
            name=f"Kecamatan {self.tenant.kec}",
            desa=self.desa,
            units=self.units,
        )
        self.setup = evolve_setup(None, event)
        return Batch(kecamatan_ref(self.tenant), [event], on)

    def month(self, year: int, month: int) -> list[Batch]:
        first = date(year, month, 1)
        rota = self._rota(year, month)
        held = [e for e in rota.events if isinstance(e, ActivityHeld)]
        batches = [rota, *self.fund.month(first, self.units), *self._households(first)]
        charity = [e for e in held if e.kind is ActivityKind.SHOLAWATAN_BERBAGI]
        ledger = self.ledger.month(first, charity, self.fund.lots, self.households)
        return [*batches, *ledger, *self._findings(first, held)]

    def _rota(self, year: int, month: int) -> Batch:
        assert self.setup is not None
        off = days_off([year])
        events: list[DomainEvent] = list(
            schedule(self.rota, ScheduleMonth(year=year, month=month), self.setup, off)
        )
        for e in list(events):
            assert isinstance(e, ActivityScheduled)
            if not e.skipped:
                events += self._happened(e, off)
        for e in events:
            self.rota = evolve_rota(self.rota, e)
        return Batch(rota_ref(self.tenant), events, date(year, month, 1))

    def _happened(self, e: ActivityScheduled, off: dict[date, str]) -> list[DomainEvent]:
        roll, day, moved = self.rng.random(), e.date, []
        common = {"activity_id": e.activity_id, "kind": e.kind, "host_desa": e.host_desa}
        if roll < 0.03:
            return [ActivityCancelled(**common, date=day, reason="Hujan deras / heavy rain")]
        later = day + timedelta(days=1)
        if roll < 0.06 and later.month == e.month and is_working_day(later, off):
            moved = [ActivityRescheduled(**common, from_date=day, date=later, reason="Bentrok")]
            day = later
        attendance = {"officials": self.rng.randint(5, 40), "residents": self.rng.randint(0, 200)}
        return [*moved, ActivityHeld(**common, date=day, held_on=day, **attendance)]

    def _households(self, first: date) -> list[Batch]:
        fresh = len(self.desa) * HOUSEHOLDS_PER_DESA if not self.numbers else 3
        batches = [self._register(first) for _ in range(fresh)]
        every = [h for hs in self.households.values() for h in hs if not h.forgotten]
        for h in self.rng.sample(every, min(3, len(every))):
            as_of = first + timedelta(days=self.rng.randint(0, 27))
            h.changes[as_of] = self.rng.choice([[], [Aid.PKH], [Aid.PBI_JK], [Aid.BPNT]])
            event = HouseholdAidStatusChanged(
                household_id=h.household_id,
                aid=h.changes[as_of],
                as_of=as_of,
                source=self.rng.choice([None, "SK Dinas Sosial"]),
            )
            batches.append(Batch(household_ref(self.tenant, h.household_id), [event], as_of))
        if every:
            h = self.rng.choice(every)
            desil = HouseholdChanged(household_id=h.household_id, desil=self.rng.randint(1, 10))
            batches.append(Batch(household_ref(self.tenant, h.household_id), [desil], first))
        if every and self.rng.random() < 0.2:
            h = self.rng.choice(every)
            h.forgotten = True
            gone = HouseholdForgotten(household_id=h.household_id)
            batches.append(Batch(household_ref(self.tenant, h.household_id), [gone], first))
        return batches

    def _register(self, first: date) -> Batch:
        self.numbers += 1
        hid, desa = self.uid(), self.rng.choice(self.desa).code
        serial = f"{self.tenant.kec}{self.numbers:010d}"
        no_kk, nik = serial, f"{self.tenant.kec}01019{self.numbers:05d}"[:16]
        key = self.rng.randbytes(32)
        self.keys.append((hid, key))
        clear = {
            "no_kk": no_kk,
            "nik": nik,
            "name": f"Warga {self.numbers} Sejahtera",
            "address": f"RT {self.numbers % 9 + 1} RW 2",
        }
        aid = self.rng.choice([[], [], [], [Aid.PBI_JK], [Aid.PKH], [Aid.OTHER]])
        self.households[desa].append(Household(hid, desa, aid))
        event = HouseholdRegistered(
            household_id=hid,
            desa=desa,
            desil=self.rng.randint(1, 10),
            registry=self.rng.choice([Registry.DTKS, Registry.DTSEN]),
            snapshot_date=first - timedelta(days=30),
            aid=aid,
            personal=seal_text(key, json.dumps(clear), f"household:{hid}"),
        )
        return Batch(household_ref(self.tenant, hid), [event], first)

    def _findings(self, first: date, held: list[ActivityHeld]) -> list[Batch]:
        batches = []
        for fid in list(self.open_findings):
            batches += self._progress(fid, first + timedelta(days=self.rng.randint(0, 27)))
        visits = [e for e in held if e.kind is ActivityKind.SERASA_DESA and e.host_desa]
        for _ in range(self.rng.choice([0, 1, 1, 2])):
            batches.append(self._record(first, visits))
        return batches

    def _record(self, first: date, visits: list[ActivityHeld]) -> Batch:
        fid, visit = (
            self.uid(),
            self.rng.choice(visits) if visits and self.rng.random() < 0.5 else None,
        )
        if visit is not None:
            unit = name = str(visit.host_desa)
            desa: str | None = unit
            name = next(d.name for d in self.desa if d.code == unit)
            found_on, source = visit.held_on, FindingSource.SERASA_DESA
        else:
            unit = name = self.rng.choice(self.units)
            desa, found_on = None, first + timedelta(days=self.rng.randint(0, 27))
            source = self.rng.choice(
                [FindingSource.INSPEKTORAT, FindingSource.PENGADUAN, FindingSource.INTERNAL]
            )
        self.open_findings.append(fid)
        event = FindingRecorded(
            finding_id=fid,
            unit=unit,
            unit_name=name,
            desa=desa,
            subject_type=SubjectType.ASN,
            official=None,
            official_id=None,
            category=self.rng.choice(list(FindingCategory)),
            severity=self.rng.choice(list(FindingSeverity)),
            source=source,
            found_on=found_on,
            visit_id=visit.activity_id if visit else None,
            description=self._sealed(fid, "description", "Terlambat apel pagi"),
        )
        return Batch(finding_ref(self.tenant, fid), [event], found_on)

    def _progress(self, fid: str, on: date) -> list[Batch]:
        roll, ref = self.rng.random(), finding_ref(self.tenant, fid)
        if roll < 0.3:
            sealed = self._sealed(fid, "action", "Teguran lisan")
            return [
                Batch(
                    ref,
                    [
                        FindingFollowedUp(
                            finding_id=fid,
                            followed_up_on=on,
                            action=sealed,
                            sanction=None,
                            sanction_code=None,
                        )
                    ],
                    on,
                )
            ]
        if roll < 0.55:
            self.open_findings.remove(fid)
            sealed = self._sealed(fid, "action", "Selesai dibina")
            return [
                Batch(ref, [FindingResolved(finding_id=fid, resolved_on=on, action=sealed)], on)
            ]
        if roll < 0.6:
            self.open_findings.remove(fid)
            sealed = self._sealed(fid, "reason", "Tidak terbukti")
            return [
                Batch(ref, [FindingDismissed(finding_id=fid, dismissed_on=on, reason=sealed)], on)
            ]
        return []

    def _sealed(self, fid: str, name: str, text: str) -> str:
        return seal_text(TEXT_KEY, text, f"finding:{self.tenant.kec}:{fid}:{name}")
