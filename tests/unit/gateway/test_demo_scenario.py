"""The Kawedanan 2023 scenario: the figures it must land on, and well-formed fake people."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from services.gateway.demo import scenario as sc
from services.gateway.web.wilayah import KAWEDANAN_DESA

pytestmark = pytest.mark.unit


def test_exactly_150_packages_of_rp_100000_january_to_october_two_desa_a_month() -> None:
    rounds = sc.rounds()
    assert sum(r.quota for r in rounds) == 150
    assert Counter(r.month for r in rounds) == dict.fromkeys(range(1, 11), 2)
    assert sorted(r.desa_index for r in rounds) == list(range(20)), "every desa gets one turn"
    assert [r.desa_index for r in rounds] == list(range(20)), "in rotation order"
    assert all(r.distributed_on.startswith(f"2023-{r.month:02d}-") for r in rounds)
    lots = sc.procurements()
    assert sum(p["packages"] for p in lots) == 150
    assert {p["unit_price_idr"] for p in lots} == {100_000}


def test_the_fund_never_runs_dry_by_business_date() -> None:
    gifts, lots = sc.donations(), sc.procurements()
    for lot in lots:
        day = lot["purchased_on"]
        given = sum(g["amount_idr"] for g in gifts if g["received_on"] <= day)
        spent = sum(p["packages"] * p["unit_price_idr"] for p in lots if p["purchased_on"] <= day)
        assert given >= spent, day


def test_every_unit_gives_every_month_of_2023() -> None:
    gifts = sc.donations()
    assert len(gifts) == len(sc.UNITS) * 12 == 21 * 12
    assert Counter(g["unit"] for g in gifts) == dict.fromkeys(sc.UNITS, 12)
    assert {date.fromisoformat(g["received_on"]).year for g in gifts} == {2023}
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


def test_each_desa_has_enough_priority_households_for_its_quota() -> None:
    quota = {r.desa_index: r.quota for r in sc.rounds()}
    for d in range(20):
        priority = [n for n in range(sc.HOUSEHOLDS_PER_DESA) if not sc.household(d, n)["aid"]]
        assert priority == list(range(len(priority)))
        assert len(priority) >= quota[d]


def test_findings_are_20_10_and_7_with_three_of_2023_still_open() -> None:
    plans = sc.findings()
    years = Counter(int(str(p.body["found_on"])[:4]) for p in plans)
    assert years == {2021: 20, 2022: 10, 2023: 7}
    still_open = [p for p in plans if p.resolve is None]
    assert len(still_open) == 3
    assert {str(p.body["found_on"])[:4] for p in still_open} == {"2023"}
    assert {p.body["unit"] for p in plans} <= set(sc.UNITS)
    assert {p.body["source"] for p in plans if str(p.body["found_on"]) < "2022"} <= {
        "INSPEKTORAT",
        "PENGADUAN",
        "INTERNAL",
    }


def test_most_activities_are_held_on_their_day_a_few_called_off_or_unreported() -> None:
    outcomes = [sc.hold_or_cancel(i, {"kind": "SENAM", "date": "2023-05-05"}) for i in range(100)]
    held = [o for o in outcomes if o and o[0] == "held"]
    cancelled = [o for o in outcomes if o and o[0] == "cancel"]
    assert 80 <= len(held) <= 90
    assert 5 <= len(cancelled) <= 10
    assert all(body["held_on"] == "2023-05-05" for _, body in held)
