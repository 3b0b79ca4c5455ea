"""Scheduling a month: the Friday and Tuesday rota, days off, the desa rotation."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date

import pytest

from services.gateway.web.wilayah import KAWEDANAN_DESA
from services.scheduler.domain import ACTIVITY_NAMESPACE
from services.scheduler.state import Rota
from shared.contracts.scheduler import ActivityStatus as Status
from shared.events.base import upcast
from shared.events.scheduler import FRIDAY_ROTATION, ActivityKind, ActivityScheduled, DayOff, Desa
from tests.unit.scheduler.given import DESA, KEC, configured, given, schedule, setup_of

pytestmark = pytest.mark.unit

K = ActivityKind
FRIDAYS = [K.SENAM, K.JALAN_JALAN, K.BERSIH_BERSIH, K.SHOLAWATAN_BERBAGI]


def test_a_month_has_a_friday_activity_by_week_and_a_visit_every_tuesday() -> None:
    events, _ = schedule(Rota(), 2023, 5)
    fridays = [(e.kind, e.date) for e in events if e.kind is not K.SERASA_DESA]
    assert fridays == [
        (K.SENAM, date(2023, 5, 5)),
        (K.JALAN_JALAN, date(2023, 5, 12)),
        (K.BERSIH_BERSIH, date(2023, 5, 19)),
        (K.SHOLAWATAN_BERBAGI, date(2023, 5, 26)),
    ]
    tuesdays = [e.date for e in events if e.kind is K.SERASA_DESA]
    assert tuesdays == [date(2023, 5, d) for d in (2, 9, 16, 23, 30)]
    assert [e.date for e in events] == sorted(e.date for e in events)
    assert {e.host_desa for e in events if e.kind is K.SENAM} == {DESA[0].code}


def test_a_fifth_friday_has_no_activity_by_default() -> None:
    events, rota = schedule(Rota(), 2023, 3)
    assert date(2023, 3, 31) not in {e.planned_for for e in events}
    assert [e.kind for e in events if e.kind is not K.SERASA_DESA] == FRIDAYS
    assert len(rota.month(2023, 3)) == 4 + 4


def test_a_fifth_friday_takes_the_configured_kind_and_the_next_friday_turn() -> None:
    five = [*DESA, Desa(code="35.20.05.2005", name="Garon")]
    setup = setup_of(configured(desa=five, fifth_friday=K.SENAM))
    events, _ = schedule(Rota(), 2023, 3, setup)
    senam = [(e.planned_for, e.host_desa) for e in events if e.kind is K.SENAM]
    assert senam == [(date(2023, 3, 3), five[0].code), (date(2023, 3, 31), five[4].code)]


def test_good_friday_moves_the_first_friday_to_thursday_and_names_the_holiday() -> None:
    events, rota = schedule(Rota(), 2023, 4)
    senam = next(e for e in events if e.kind is K.SENAM)
    assert senam.planned_for == date(2023, 4, 7)
    assert senam.date == date(2023, 4, 6)
    assert senam.host_desa == DESA[0].code
    assert not senam.skipped
    assert senam.note is not None
    assert "Good Friday" in senam.note
    assert "Wafat Yesus Kristus" in senam.note
    activity = rota.find(senam.activity_id)
    assert (activity.status, activity.date, activity.month) == (Status.SCHEDULED, senam.date, 4)


def test_activity_ids_are_derived_from_kecamatan_kind_and_rota_day() -> None:
    events, _ = schedule(Rota(), 2023, 4)
    again, _ = schedule(Rota(), 2023, 4)
    senam = next(e for e in events if e.kind is K.SENAM)
    expected = uuid.uuid5(ACTIVITY_NAMESPACE, f"{KEC}/SENAM/2023-04-07")
    assert senam.activity_id == str(expected)
    assert [e.activity_id for e in events] == [e.activity_id for e in again]
    assert len({e.activity_id for e in events}) == len(events)


def test_a_moved_activity_stays_in_the_month_of_its_rota_day() -> None:
    events, rota = schedule(Rota(), 2021, 1)
    senam = next(e for e in events if e.kind is K.SENAM)
    assert (senam.planned_for, senam.date) == (date(2021, 1, 1), date(2020, 12, 30)), "31st: cuti"
    assert (senam.year, senam.month) == (2021, 1)
    assert senam.activity_id in {a.id for a in rota.month(2021, 1)}
    assert rota.month(2020, 12) == []


def test_a_rota_day_without_a_working_day_in_its_week_is_skipped_and_keeps_the_turn() -> None:
    events, rota = schedule(Rota(), 2022, 5)
    visits = [e for e in events if e.kind is K.SERASA_DESA]
    first = visits[0]
    assert first.date == date(2022, 5, 3)
    assert first.skipped
    assert first.host_desa is None
    assert first.note is not None
    assert "Idul Fitri" in first.note
    assert rota.find(first.activity_id).status is Status.SKIPPED
    hosts = [v.host_desa for v in visits[1:]]
    assert hosts == [DESA[0].code, DESA[1].code, DESA[2].code, DESA[3].code]


def test_local_days_off_move_or_skip_like_national_holidays() -> None:
    days_off = [
        DayOff(date=date(2023, 5, 19), name="Hari Jadi Kabupaten"),
        DayOff(date=date(2023, 5, 8), name="Cuti bersama desa"),
        DayOff(date=date(2023, 5, 9), name="Bersih desa"),
    ]
    events, _ = schedule(Rota(), 2023, 5, setup_of(configured(days_off_=days_off)))
    cleanup = next(e for e in events if e.kind is K.BERSIH_BERSIH)
    assert cleanup.planned_for == date(2023, 5, 19)
    assert (cleanup.date, cleanup.host_desa) == (date(2023, 5, 17), DESA[2].code)
    assert cleanup.note is not None
    assert "Hari Jadi Kabupaten" in cleanup.note
    visit = next(e for e in events if e.planned_for == date(2023, 5, 9))
    assert visit.skipped
    assert visit.note == "Libur: Bersih desa"


def test_a_leap_year_february_ends_on_the_29th() -> None:
    events, _ = schedule(Rota(), 2028, 2)
    tuesdays = [e.date for e in events if e.kind is K.SERASA_DESA]
    assert tuesdays[-1] == date(2028, 2, 29)
    assert len(tuesdays) == 5
    events_2024, _ = schedule(Rota(), 2024, 2)
    assert all(e.date.month == 2 for e in events_2024)
    assert max(e.date for e in events_2024) == date(2024, 2, 27)


def test_scheduling_a_month_twice_appends_nothing() -> None:
    _, rota = schedule(Rota(), 2023, 4)
    again, after = schedule(rota, 2023, 4)
    assert again == []
    assert after == rota


def test_the_rotation_advances_in_the_order_months_are_scheduled() -> None:
    setup = setup_of(configured(desa=DESA[:3]))
    march, rota = schedule(Rota(), 2023, 3, setup)
    january, _ = schedule(rota, 2023, 1, setup)
    march_fridays = [e.host_desa for e in march if e.kind is not K.SERASA_DESA]
    assert march_fridays == [DESA[0].code, DESA[1].code, DESA[2].code, DESA[0].code]
    assert next(e for e in january if e.kind is K.SENAM).host_desa == DESA[1].code


def test_over_a_year_every_desa_gets_a_turn_before_any_gets_a_second() -> None:
    desa = [Desa(code=f"35.20.05.20{i:02d}", name=f"Desa {i}") for i in range(1, 8)]
    setup = setup_of(configured(desa=desa))
    rota, hosts = Rota(), {FRIDAY_ROTATION: [], K.SERASA_DESA.value: []}
    for month in range(1, 13):
        events, rota = schedule(rota, 2023, month, setup)
        for e in events:
            if e.host_desa is not None:
                hosts[e.rotation].append(e.host_desa)
    codes = [d.code for d in desa]
    for kind, order in hosts.items():
        assert order[: len(codes)] == codes[: len(order)], kind
        for end in range(1, len(order) + 1):
            counts = Counter(order[:end])
            assert max(counts.values()) - min(counts.get(c, 0) for c in codes) <= 1, kind
    assert len(hosts[K.SERASA_DESA]) >= 50
    assert len(hosts[FRIDAY_ROTATION]) >= 44


def test_changing_the_desa_list_keeps_the_rotation_fair() -> None:
    three = DESA[:3]
    may, rota = schedule(Rota(), 2023, 5, setup_of(configured(desa=three)))
    assert [e.host_desa for e in may if e.kind is K.SERASA_DESA] == [
        *(d.code for d in three),
        DESA[0].code,
        DESA[1].code,
    ]
    assert rota.turns[K.SERASA_DESA].round == 2
    reordered = [DESA[3], DESA[2], DESA[1], DESA[0]]
    june, _ = schedule(rota, 2023, 6, setup_of(configured(desa=reordered)))
    visits = [(e.host_desa, e.rotation_round) for e in june if e.kind is K.SERASA_DESA]
    assert visits == [(DESA[3].code, 2), (DESA[2].code, 2), (DESA[3].code, 3), (DESA[2].code, 3)]


def test_a_removed_desa_gets_no_more_turns() -> None:
    _, rota = schedule(Rota(), 2023, 4)
    events, _ = schedule(rota, 2023, 5, setup_of(configured(desa=DESA[1:])))
    assert DESA[0].code not in {e.host_desa for e in events}


# -- the 2023 calendar as the office keeps it (issue 22) -------------------------------------


def test_cuti_bersama_of_2023_move_or_skip_the_activities_planned_on_them() -> None:
    april, rota = schedule(Rota(), 2023, 4)
    cleanup = next(e for e in april if e.kind is K.BERSIH_BERSIH)
    assert (cleanup.planned_for, cleanup.date) == (date(2023, 4, 21), date(2023, 4, 18))
    assert cleanup.note is not None
    assert "Cuti Bersama" in cleanup.note
    assert "Eid al-Fitr Joint Holiday" in cleanup.note
    visit = next(e for e in april if e.planned_for == date(2023, 4, 25))
    assert (visit.skipped, visit.host_desa, visit.date) == (True, None, date(2023, 4, 25))
    june, rota = schedule(rota, 2023, 6)
    senam = next(e for e in june if e.kind is K.SENAM)
    assert (senam.planned_for, senam.date) == (date(2023, 6, 2), date(2023, 5, 31))
    assert (senam.year, senam.month) == (2023, 6)
    december, _ = schedule(rota, 2023, 12)
    boxing = next(e for e in december if e.planned_for == date(2023, 12, 26))
    assert boxing.skipped
    assert boxing.note is not None
    assert "Cuti Bersama" in boxing.note
    working = {e.date for e in (*april, *june, *december) if not e.skipped}
    assert not working & {date(2023, 4, 21), date(2023, 4, 25), date(2023, 6, 2)}


def test_a_months_fridays_go_to_four_different_desa() -> None:
    events, _ = schedule(Rota(), 2023, 5)
    fridays = [(e.kind, e.host_desa, e.rotation) for e in events if e.kind is not K.SERASA_DESA]
    assert fridays == [
        (kind, desa.code, FRIDAY_ROTATION) for kind, desa in zip(FRIDAYS, DESA, strict=True)
    ]
    assert {e.rotation for e in events if e.kind is K.SERASA_DESA} == {"SERASA_DESA"}


def test_a_skipped_friday_uses_no_turn_of_the_shared_rotation() -> None:
    off = [DayOff(date=date(2023, 5, d), name="Bersih desa") for d in range(8, 13)]
    events, _ = schedule(Rota(), 2023, 5, setup_of(configured(days_off_=off)))
    fridays = [(e.kind, e.host_desa) for e in events if e.kind is not K.SERASA_DESA]
    assert fridays == [
        (K.SENAM, DESA[0].code),
        (K.JALAN_JALAN, None),
        (K.BERSIH_BERSIH, DESA[1].code),
        (K.SHOLAWATAN_BERBAGI, DESA[2].code),
    ]


def test_every_desa_of_kawedanan_hosts_fridays_in_2023() -> None:
    desa = [Desa(code=code, name=name) for code, name in KAWEDANAN_DESA]  # Kemendagri 2025
    assert len(desa) == 20
    setup = setup_of(configured(desa=desa))
    rota, hosts = Rota(), Counter[str]()
    for month in range(1, 13):
        events, rota = schedule(rota, 2023, month, setup)
        hosts.update(e.host_desa for e in events if e.host_desa and e.kind is not K.SERASA_DESA)
    assert set(hosts) == {d.code for d in desa}
    assert max(hosts.values()) - min(hosts.values()) <= 1


def test_months_scheduled_before_the_shared_rotation_keep_theirs() -> None:
    v1 = {
        "activity_id": "a-1",
        "kind": "JALAN_JALAN",
        "year": 2023,
        "month": 1,
        "planned_for": "2023-01-13",
        "date": "2023-01-13",
        "host_desa": DESA[0].code,
        "rotation_round": 1,
    }
    old = upcast("ActivityScheduled", 1, v1)
    assert isinstance(old, ActivityScheduled)
    assert old.rotation == "JALAN_JALAN"
    rota = given(old)
    assert rota.turns["JALAN_JALAN"].served == {DESA[0].code}
    february, _ = schedule(rota, 2023, 2)
    walk = next(e for e in february if e.kind is K.JALAN_JALAN)
    assert (walk.rotation, walk.host_desa) == (FRIDAY_ROTATION, DESA[1].code)
