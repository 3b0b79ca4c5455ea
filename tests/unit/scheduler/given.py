"""Given/when/then helpers for the scheduler's rules: fold events, decide, fold again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.scheduler import domain
from services.scheduler.rota import days_off
from services.scheduler.state import Rota, Setup, evolve_rota, evolve_setup
from shared.contracts.scheduler import ScheduleMonth
from shared.events.base import DomainEvent
from shared.events.scheduler import (
    ActivityKind,
    ActivityScheduled,
    DayOff,
    Desa,
    KecamatanConfigured,
)

KEC = "35.20.05"
DESA = [
    Desa(code="35.20.05.2001", name="Mangunrejo"),
    Desa(code="35.20.05.2002", name="Giripurno"),
    Desa(code="35.20.05.2003", name="Ngentep"),
    Desa(code="35.20.05.2004", name="Balerejo"),
]


def configured(
    desa: Sequence[Desa] = DESA,
    fifth_friday: ActivityKind | None = None,
    days_off_: Sequence[DayOff] = (),
) -> KecamatanConfigured:
    return KecamatanConfigured(
        kecamatan=KEC,
        name="Kawedanan",
        desa=list(desa),
        units=["Kantor Kecamatan", *(d.name for d in desa)],
        fifth_friday=fifth_friday,
        days_off=list(days_off_),
    )


def setup_of(event: KecamatanConfigured | None = None) -> Setup:
    setup = evolve_setup(None, event or configured())
    assert setup is not None
    return setup


def given(*events: DomainEvent, rota: Rota | None = None) -> Rota:
    state = rota or Rota()
    for event in events:
        state = evolve_rota(state, event)
    return state


def schedule(
    rota: Rota, year: int, month: int, setup: Setup | None = None
) -> tuple[list[ActivityScheduled], Rota]:
    """When the month is scheduled: the events decided and the rota after them."""
    setup = setup or setup_of()
    off = days_off((year - 1, year), setup.days_off)
    events = domain.schedule(rota, ScheduleMonth(year=year, month=month), setup, off)
    assert all(isinstance(e, ActivityScheduled) for e in events)
    return [e for e in events if isinstance(e, ActivityScheduled)], given(*events, rota=rota)


def scheduled_on(rota: Rota, kind: ActivityKind, planned_for: date) -> str:
    """The id of the activity of `kind` planned for `planned_for`."""
    return next(
        a.id for a in rota.activities.values() if (a.kind, a.planned_for) == (kind, planned_for)
    )
