"""The rota's days: which activity falls on which day of a month, and the days off."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from shared.contracts.scheduler import FRIDAY_KINDS
from shared.events.scheduler import FRIDAY_ROTATION, ActivityKind, DayOff

KIND_ORDER = {kind: i for i, kind in enumerate(ActivityKind)}
TUESDAY, FRIDAY = 1, 4
NATIONAL = ("public", "government")
"""The `holidays` categories the office is closed on: national holidays and cuti bersama."""


@dataclass(frozen=True, order=True)
class Slot:
    """One rota day of a month and the kind of activity it is for."""

    planned_for: date
    kind: ActivityKind


def month_slots(year: int, month: int, fifth_friday: ActivityKind | None) -> list[Slot]:
    """Fridays by their rank in the month (a 5th only when configured), every Tuesday."""
    days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    fridays = [d for d in days if d.weekday() == FRIDAY]
    kinds: list[ActivityKind | None] = [*FRIDAY_KINDS, fifth_friday]
    slots = [Slot(day, kind) for day, kind in zip(fridays, kinds, strict=False) if kind]
    slots += [Slot(d, ActivityKind.SERASA_DESA) for d in days if d.weekday() == TUESDAY]
    return sorted(slots, key=lambda s: (s.planned_for, KIND_ORDER[s.kind]))


def rotation_of(kind: ActivityKind) -> str:
    """The rotation a kind's hosts come from: one for every Friday kind, one for visits."""
    return kind.value if kind is ActivityKind.SERASA_DESA else FRIDAY_ROTATION


def working_day(day: date, days_off: Mapping[date, str]) -> date | None:
    """`day` if it is not a day off, else the nearest earlier one of its week (from Monday)."""
    for back in range(day.weekday() + 1):
        candidate = day - timedelta(days=back)
        if candidate.weekday() < 5 and candidate not in days_off:
            return candidate
    return None


def is_working_day(day: date, days_off: Mapping[date, str]) -> bool:
    return day.weekday() < 5 and day not in days_off


@lru_cache(maxsize=64)
def _national(year: int) -> dict[date, str]:
    english = holidays.country_holidays("ID", years=year, categories=NATIONAL)
    bahasa = holidays.country_holidays("ID", years=year, categories=NATIONAL, language="id")
    names: dict[date, str] = {}
    for day in english:
        pairs = zip(bahasa.get_list(day), english.get_list(day), strict=False)
        names[day] = "; ".join(i if i == e else f"{i} ({e})" for i, e in pairs)
    return names


def days_off(years: Iterable[int], local: Iterable[DayOff] = ()) -> dict[date, str]:
    """National holidays and cuti bersama (Bahasa Indonesia, English) and local days off,
    by date."""
    found: dict[date, str] = {}
    for year in sorted(set(years)):
        found.update(_national(year))
    for off in local:
        found[off.date] = f"{found[off.date]}; {off.name}" if off.date in found else off.name
    return found
