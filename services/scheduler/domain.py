"""The scheduler's rules: pure decisions on the kecamatan set-up and its rota."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date

from services.scheduler.rota import (
    Slot,
    is_working_day,
    month_slots,
    rotation_of,
    working_day,
)
from services.scheduler.state import Activity, Rota, Setup, Turns, evolve_setup
from shared.contracts.scheduler import (
    ActivityStatus,
    CancelActivity,
    ConfigureKecamatan,
    HoldActivity,
    RescheduleActivity,
    ScheduleMonth,
)
from shared.errors import DomainError, InvalidInput
from shared.events.base import DomainEvent
from shared.events.scheduler import (
    ActivityCancelled,
    ActivityHeld,
    ActivityKind,
    ActivityRescheduled,
    ActivityScheduled,
    Desa,
    KecamatanConfigured,
)

ACTIVITY_NAMESPACE = uuid.UUID("5b0f3c52-6a43-4f57-9d0e-7d1f2b6a9c11")
HELD_ON_WINDOW_DAYS = 7


class AlreadyHeldError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "ALREADY_HELD",
            "Kegiatan ini sudah tercatat terlaksana",
            "This activity has already been recorded as held",
        )


class ActivityCancelledError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "ACTIVITY_CANCELLED", "Kegiatan ini sudah dibatalkan", "This activity was cancelled"
        )


class ActivitySkippedError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "ACTIVITY_SKIPPED",
            "Kegiatan ini ditiadakan karena hari libur",
            "This activity was skipped for a day off",
        )


def activity_id(kecamatan: str, kind: ActivityKind, planned_for: date) -> str:
    return str(uuid.uuid5(ACTIVITY_NAMESPACE, f"{kecamatan}/{kind.value}/{planned_for}"))


def configure(setup: Setup | None, cmd: ConfigureKecamatan, kecamatan: str) -> list[DomainEvent]:
    """Set up the kecamatan or replace its set-up; an identical one appends nothing."""
    if cmd.code is not None and cmd.code.replace(".", "") != kecamatan.replace(".", ""):
        raise InvalidInput(
            "code",
            f"Kode {cmd.code} bukan kecamatan {kecamatan}",
            f"Code {cmd.code} is not kecamatan {kecamatan}",
        )
    seen: set[str] = set()
    for i, desa in enumerate(cmd.desa):
        _check_desa(desa.code, kecamatan, seen, f"desa.{i}.code")
    event = KecamatanConfigured(
        kecamatan=kecamatan,
        name=cmd.name,
        desa=[Desa(code=d.code, name=d.name) for d in cmd.desa],
        units=cmd.units,
        fifth_friday=cmd.fifth_friday,
        days_off=sorted(cmd.days_off, key=lambda d: d.date),
    )
    if setup is not None and evolve_setup(None, event) == setup:
        return []
    return [event]


def _check_desa(code: str, kecamatan: str, seen: set[str], field: str) -> None:
    if not code.startswith(f"{kecamatan}."):
        raise InvalidInput(
            field,
            f"Desa {code} bukan bagian dari kecamatan {kecamatan}",
            f"Desa {code} does not belong to kecamatan {kecamatan}",
        )
    if code in seen:
        raise InvalidInput(field, f"Desa {code} disebut dua kali", f"Desa {code} is listed twice")
    seen.add(code)


def schedule(
    rota: Rota, cmd: ScheduleMonth, setup: Setup, days_off: Mapping[date, str]
) -> list[DomainEvent]:
    """Plan a month: each rota day gets the next desa of its rotation (one shared by the
    Friday kinds, one for visits), or is moved earlier in its week, or skipped (using no
    turn), when it is a day off. Twice: nothing."""
    if (cmd.year, cmd.month) in rota.months:
        return []
    codes = [d.code for d in setup.desa]
    turns = dict(rota.turns)
    events: list[DomainEvent] = []
    for slot in month_slots(cmd.year, cmd.month, setup.fifth_friday):
        day = working_day(slot.planned_for, days_off)
        holiday = days_off.get(slot.planned_for)
        if day is None:
            skipped = _planned(
                setup, slot, slot.planned_for, host=None, round_=0, note=f"Libur: {holiday}"
            )
            events.append(skipped)
            continue
        rotation = rotation_of(slot.kind)
        current = turns.get(rotation, Turns())
        host, round_ = current.next_host(codes)
        turns[rotation] = current.after(host, round_)
        note = f"Libur {holiday}; dipindah dari {slot.planned_for}" if holiday else None
        events.append(_planned(setup, slot, day, host=host, round_=round_, note=note))
    return events


def _planned(
    setup: Setup, slot: Slot, day: date, *, host: str | None, round_: int, note: str | None
) -> ActivityScheduled:
    return ActivityScheduled(
        activity_id=activity_id(setup.code, slot.kind, slot.planned_for),
        kind=slot.kind,
        year=slot.planned_for.year,
        month=slot.planned_for.month,
        planned_for=slot.planned_for,
        date=day,
        host_desa=host,
        rotation=rotation_of(slot.kind),
        rotation_round=round_,
        skipped=host is None,
        note=note,
    )


def _open(activity: Activity) -> None:
    if activity.status is ActivityStatus.HELD:
        raise AlreadyHeldError()
    if activity.status is ActivityStatus.CANCELLED:
        raise ActivityCancelledError()
    if activity.status is ActivityStatus.SKIPPED:
        raise ActivitySkippedError()


def check_held_on(cmd: HoldActivity, today: date) -> None:
    """Nothing is recorded as held before it was: `held_on` is not after today (Jakarta)."""
    if cmd.held_on > today:
        raise InvalidInput(
            "held_on",
            "Tanggal pelaksanaan tidak boleh di masa depan",
            "held_on cannot be in the future",
        )


def hold(rota: Rota, activity_id_: str, cmd: HoldActivity) -> list[DomainEvent]:
    """Record a scheduled activity as held, on a day at most a week from its date."""
    activity = rota.find(activity_id_)
    _open(activity)
    if abs((cmd.held_on - activity.date).days) > HELD_ON_WINDOW_DAYS:
        raise InvalidInput(
            "held_on",
            f"Tanggal pelaksanaan harus paling jauh 7 hari dari {activity.date}",
            f"held_on must be within 7 days of {activity.date}",
        )
    return [
        ActivityHeld(
            activity_id=activity.id,
            kind=activity.kind,
            date=activity.date,
            held_on=cmd.held_on,
            host_desa=activity.host_desa,
            officials=cmd.attendance.officials,
            residents=cmd.attendance.residents,
            notes=cmd.notes,
        )
    ]


def cancel(rota: Rota, activity_id_: str, cmd: CancelActivity) -> list[DomainEvent]:
    """Call off a scheduled activity; its host's turn stays used."""
    activity = rota.find(activity_id_)
    _open(activity)
    return [
        ActivityCancelled(
            activity_id=activity.id,
            kind=activity.kind,
            date=activity.date,
            host_desa=activity.host_desa,
            reason=cmd.reason,
        )
    ]


def reschedule(
    rota: Rota, activity_id_: str, cmd: RescheduleActivity, days_off: Mapping[date, str]
) -> list[DomainEvent]:
    """Move a scheduled activity to another working day of its month; same day: nothing."""
    activity = rota.find(activity_id_)
    _open(activity)
    if (cmd.date.year, cmd.date.month) != (activity.year, activity.month):
        raise InvalidInput(
            "date",
            f"Tanggal baru harus di bulan {activity.year}-{activity.month:02d}",
            f"The new date must be in {activity.year}-{activity.month:02d}",
        )
    if not is_working_day(cmd.date, days_off):
        why = days_off.get(cmd.date, "akhir pekan / weekend")
        raise InvalidInput(
            "date",
            f"{cmd.date} bukan hari kerja ({why})",
            f"{cmd.date} is not a working day ({why})",
        )
    if cmd.date == activity.date:
        return []
    return [
        ActivityRescheduled(
            activity_id=activity.id,
            kind=activity.kind,
            from_date=activity.date,
            date=cmd.date,
            host_desa=activity.host_desa,
            reason=cmd.reason,
        )
    ]
