"""Report arithmetic: year series with zeros, year-on-year change, ages, visits per desa."""

from __future__ import annotations

from datetime import date

import pytest

from services.integrity.reports import Group, per_desa, summary, trend, with_age, years_up_to
from tests.unit.integrity.given import BALEREJO, GARON

pytestmark = pytest.mark.unit

SERASA_DESA_FIGURES = {2021: 20, 2022: 10, 2023: 7}


def test_findings_by_year_cover_every_year_from_the_earliest_up_to_the_asked_one() -> None:
    assert years_up_to(SERASA_DESA_FIGURES, 2024) == {
        "2021": 20,
        "2022": 10,
        "2023": 7,
        "2024": 0,
    }
    assert years_up_to({2019: 1, 2021: 2}, 2021) == {"2019": 1, "2020": 0, "2021": 2}


def test_with_no_findings_the_series_is_the_asked_year_alone() -> None:
    assert years_up_to({}, 2023) == {"2023": 0}


def test_the_trend_gives_each_year_its_change_from_the_year_before() -> None:
    result = trend(SERASA_DESA_FIGURES, 2023)
    assert result["years"] == [
        {"year": 2021, "findings": 20, "change": None, "change_pct": None},
        {"year": 2022, "findings": 10, "change": -10, "change_pct": -50.0},
        {"year": 2023, "findings": 7, "change": -3, "change_pct": -30.0},
    ]
    assert (result["year"], result["findings"], result["change"]) == (2023, 7, -3)


def test_a_rise_from_zero_has_a_change_but_no_percentage() -> None:
    assert trend({2022: 0, 2023: 4}, 2023)["years"][-1] == {
        "year": 2023,
        "findings": 4,
        "change": 4,
        "change_pct": None,
    }


def test_the_summary_counts_by_year_category_severity_subject_and_open() -> None:
    groups = [
        Group(2021, "KEHADIRAN", "RINGAN", "ASN", False, 3),
        Group(2021, "ETIKA", "BERAT", "KEPALA_DESA", True, 1),
        Group(2022, "KEHADIRAN", "SEDANG", "ASN", True, 2),
    ]
    result = summary(groups, repeat_officials=2)
    assert result["by_subject_type"] == {"ASN": 5, "KEPALA_DESA": 1, "PERANGKAT_DESA": 0}
    assert result["repeat_officials"] == 2
    assert result["by_year"] == {"2021": 4, "2022": 2}
    assert result["by_category"]["KEHADIRAN"] == 5
    assert result["by_category"]["GRATIFIKASI"] == 0
    assert len(result["by_category"]) == 6
    assert result["by_severity"] == {"RINGAN": 3, "SEDANG": 2, "BERAT": 1}
    assert result["open"] == 3


def test_an_open_finding_is_overdue_only_past_the_configured_days() -> None:
    rows = [
        {"finding_id": "a", "found_on": date(2023, 9, 10)},
        {"finding_id": "b", "found_on": date(2023, 9, 9)},
    ]
    result = with_age(rows, date(2023, 10, 10), 30)
    assert [(f["age_days"], f["overdue"]) for f in result["findings"]] == [(30, False), (31, True)]
    assert (result["count"], result["overdue"], result["overdue_days"]) == (2, 1, 30)
    assert result["findings"][0]["found_on"] == "2023-09-10"


def test_visits_and_findings_are_joined_per_desa_by_code_or_name() -> None:
    rows = per_desa(
        [BALEREJO, GARON],
        [BALEREJO.code, "Balerejo", GARON.code, None],
        {BALEREJO.code: 3, "35.20.05.2099": 1},
    )
    assert rows == [
        {"desa": BALEREJO.code, "name": "Balerejo", "visits": 2, "findings": 3},
        {"desa": GARON.code, "name": "Garon", "visits": 1, "findings": 0},
        {"desa": "35.20.05.2099", "name": None, "visits": 0, "findings": 1},
    ]
