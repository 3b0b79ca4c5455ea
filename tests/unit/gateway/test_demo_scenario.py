"""The Kawedanan 2023 scenario: one consistent story, the figures it must land on, and
well-formed fake people. The rota is planned here as the scheduler plans it."""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import cache
from typing import Any

import pytest

from services.gateway.demo import findings_plan as fp
from services.gateway.demo import scenario as sc
from services.gateway.web.wilayah import KAWEDANAN_DESA
from services.scheduler import domain
from services.scheduler.rota import days_off
from services.scheduler.state import Rota, evolve_rota, evolve_setup
from shared.contracts.scheduler import ScheduleMonth
from shared.events.integrity import SANCTIONS, FindingSeverity, SubjectType
from shared.events.scheduler import Desa, KecamatanConfigured

pytestmark = pytest.mark.unit


@cache
def planned() -> tuple[dict[str, Any], ...]:
    """2022 and 2023 scheduled month after month, as `POST /schedule` answers them."""
    body = sc.kecamatan_body()
    setup = evolve_setup(
        None,
        KecamatanConfigured(
            kecamatan="35.20.05",
            name=body["name"],
            desa=[Desa(**d) for d in body["desa"]],
            units=body["units"],
        ),
    )
    assert setup is not None
    rota, answered = Rota(), []
    for year in sc.PLANNED_YEARS:
        for month in range(1, 13):
            cmd = ScheduleMonth(year=year, month=month)
            for event in domain.schedule(rota, cmd, setup, days_off((year - 1, year))):
                rota = evolve_rota(rota, event)
            answered += [a.reply().model_dump(mode="json") for a in rota.month(year, month)]
    return tuple(answered)


def activities() -> list[dict[str, Any]]:
    return [a for a in planned() if a["status"] != "skipped"]


def outcomes() -> list[tuple[dict[str, Any], tuple[str, dict[str, Any]] | None]]:
    ordered = sorted(activities(), key=lambda a: (a["date"], a["kind"]))
    return [(a, sc.hold_or_cancel(i, a)) for i, a in enumerate(ordered)]


def held() -> list[dict[str, Any]]:
    return [a for a, o in outcomes() if o and o[0] == "held"]


def visits() -> list[fp.Visit]:
    return [
        fp.Visit(a["id"], date.fromisoformat(a["date"]), a["host_desa"])
        for a in held()
        if a["kind"] == "SERASA_DESA"
    ]


def test_every_held_charity_friday_has_its_round_in_its_host_desa_and_month() -> None:
    charity = [a for a in held() if a["kind"] == "SHOLAWATAN_BERBAGI"]
    rounds = sc.rounds(activities())
    assert [(r.desa, r.distributed_on.isoformat()) for r in rounds] == [
        (a["host_desa"], a["date"]) for a in charity
    ]
    assert [r.month for r in rounds] == list(range(1, 11)), "January to October 2023"
    assert all(r.body["month"] == r.distributed_on.strftime("%Y-%m") for r in rounds)
    assert all(r.purchased_on <= r.distributed_on for r in rounds)
    assert all(r.purchased_on.month == r.month for r in rounds)
    assert len({r.desa for r in rounds}) >= 5


def test_about_150_packages_of_rp_100000_january_to_october() -> None:
    rounds = sc.rounds(activities())
    assert sum(r.quota for r in rounds) == 150
    lots = [r.procurement() for r in rounds]
    assert sum(p["packages"] for p in lots) == 150
    assert {p["unit_price_idr"] for p in lots} == {100_000}


def test_households_take_turns_within_their_desa() -> None:
    rounds = sc.rounds(activities())
    chosen = sc.recipients(rounds)
    eligible = sc.HOUSEHOLDS_PER_DESA - sc.AIDED_PER_DESA
    got: dict[str, Counter[int]] = {}
    for plan, households in zip(rounds, chosen, strict=True):
        assert len(set(households)) == plan.quota, "one package per household per month"
        assert max(households) < eligible
        got.setdefault(plan.desa, Counter()).update(households)
        counts = got[plan.desa].values()
        assert max(counts) - min(counts) <= 1 or len(got[plan.desa]) < eligible
    for d in {r.desa_index for r in rounds}:
        for n in range(eligible):
            assert not sc.household(d, n)["aid"], "the ones chosen are priority households"


def test_the_fund_never_runs_dry_and_keeps_what_november_and_december_need() -> None:
    gifts, rounds = sc.donations(), sc.rounds(activities())
    for plan in rounds:
        day = plan.purchased_on.isoformat()
        given = sum(g["amount_idr"] for g in gifts if g["received_on"] <= day)
        spent = sum(sc.round_cost(r) for r in rounds if r.purchased_on.isoformat() <= day)
        assert given >= spent, day
    balance = sum(g["amount_idr"] for g in gifts) - sum(sc.round_cost(r) for r in rounds)
    reserve = sc.LATER_ROUNDS * sc.round_cost(rounds[-1])
    assert reserve <= balance < reserve + 250_000, "the year's gifts are spent but the reserve"
    costs = {e["category"] for r in rounds for e in r.expenses()}
    assert costs == {"TRANSPORT", "KEMASAN", "ADMINISTRASI"}


def test_every_unit_gives_every_month_up_to_the_end_of_october() -> None:
    gifts = sc.donations()
    assert len(gifts) == len(sc.UNITS) * 10 == 21 * 10
    assert Counter(g["unit"] for g in gifts) == dict.fromkeys(sc.UNITS, 10)
    assert max(g["received_on"] for g in gifts) <= sc.AS_OF.isoformat()
    assert all(g["amount_idr"] > 0 and isinstance(g["amount_idr"], int) for g in gifts)


def test_units_are_the_kecamatan_office_and_each_village_government() -> None:
    assert sc.UNITS[0] == "Kantor Kecamatan Kawedanan"
    assert "Kelurahan Rejosari" in sc.UNITS
    assert "Pemerintah Desa Balerejo" in sc.UNITS
    assert [d["code"] for d in sc.kecamatan_body()["desa"]] == [c for c, _ in KAWEDANAN_DESA]


def everyone() -> list[dict[str, object]]:
    return [sc.household(d, n) for d in range(20) for n in range(sc.HOUSEHOLDS_PER_DESA)]


def test_fake_nik_and_no_kk_are_well_formed_and_distinct() -> None:
    people = everyone()
    for person in people:
        for key in ("nik", "no_kk"):
            number = str(person[key])
            assert len(number) == 16
            assert number.isdigit()
            assert number.startswith("352005")
            day, month = int(number[6:8]), int(number[8:10])
            assert 1 <= day % 40 <= 31
            assert 1 <= month <= 12
    assert len({p["nik"] for p in people}) == len(people)
    assert len({p["no_kk"] for p in people}) == len(people)


def test_findings_are_20_10_and_7_with_three_of_2023_still_open() -> None:
    plans = fp.findings(visits())
    years = Counter(int(str(p.body["found_on"])[:4]) for p in plans)
    assert years == {2021: 20, 2022: 10, 2023: 7}
    still_open = [p for p in plans if p.resolve is None]
    assert len(still_open) == 3
    assert {str(p.body["found_on"])[:4] for p in still_open} == {"2023"}
    assert {p.body["unit"] for p in plans} <= {sc.OFFICE, *(c for c, _ in KAWEDANAN_DESA)}
    assert max(str(p.body["found_on"]) for p in plans) <= sc.AS_OF.isoformat()
    assert {p.body["source"] for p in plans if str(p.body["found_on"]) < "2022"} <= {
        "INSPEKTORAT",
        "PENGADUAN",
        "INTERNAL",
    }


def test_serasa_desa_findings_name_the_held_visit_they_came_from() -> None:
    known = {v.visit_id: v for v in visits()}
    linked = [p.body for p in fp.findings(visits()) if p.body["source"] == "SERASA_DESA"]
    assert len(linked) == 6 + 4, "two in three of 2022 and 2023"
    for body in linked:
        visit = known[body["visit_id"]]
        assert body["found_on"] == visit.held_on.isoformat()
        assert body["unit"] == visit.host_desa
    assert len({b["visit_id"] for b in linked}) == len(linked)


def test_subjects_sanctions_and_repeat_officials_fit_the_law() -> None:
    plans = fp.findings(visits())
    for p in plans:
        subject = SubjectType(p.body["subject_type"])
        assert (subject is SubjectType.ASN) == (p.body["unit"] == sc.OFFICE)
        if subject is SubjectType.ASN:
            assert len(p.body["official"]) == 18
            assert p.body["official"].isdigit()
        if p.follow_up is not None:
            fitting = SANCTIONS[(subject, FindingSeverity(p.body["severity"]))]
            assert p.follow_up["sanction"] in fitting
    named: dict[str, list[date]] = {}
    for p in plans:
        named.setdefault(p.body["official"], []).append(date.fromisoformat(p.body["found_on"]))
    again = [sorted(days) for days in named.values() if len(days) > 1]
    within = [d for d in again if (d[1].year - d[0].year) * 12 + d[1].month - d[0].month <= 24]
    assert (len(again), len(within)) == (4, fp.REPEAT_OFFICIALS)
    assert Counter(p.body["subject_type"] for p in plans).keys() == {s.value for s in SubjectType}


def test_in_2022_only_the_visits_ran_and_nothing_is_reported_after_october_2023() -> None:
    done = outcomes()
    fridays_2022 = [o for a, o in done if a["date"] < "2023" and a["kind"] != "SERASA_DESA"]
    assert fridays_2022
    assert all(o == ("cancel", {"reason": sc.NOT_YET_RUNNING}) for o in fridays_2022)
    assert all(o is None for a, o in done if a["date"] > sc.AS_OF.isoformat())
    reported = [o for a, o in done if "2023" <= a["date"] <= sc.AS_OF.isoformat()]
    share = sum(1 for o in reported if o and o[0] == "held") / len(reported)
    assert 0.75 <= share < 1
    charity = [o for a, o in done if a["kind"] == "SHOLAWATAN_BERBAGI" and a["date"] >= "2023"]
    assert [o[0] for o in charity if o] == ["held"] * 10
