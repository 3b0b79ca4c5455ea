"""The reply contracts answer exactly the JSON the report arithmetic builds: no key lost."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel

from services.integrity.reports import Group, per_desa, summary, trend, with_age
from shared.contracts.integrity import FindingsSummary, OpenFindings, Trend, Visits
from shared.events.integrity import FindingCategory
from tests.unit.integrity.given import BALEREJO, GARON, TODAY

pytestmark = pytest.mark.unit

OPEN_ROW: dict[str, Any] = {
    "finding_id": "f-1",
    "unit": BALEREJO.code,
    "unit_name": BALEREJO.name,
    "desa": BALEREJO.code,
    "category": "ETIKA",
    "severity": "BERAT",
    "subject_type": "KEPALA_DESA",
    "source": "SERASA_DESA",
    "found_on": date(2023, 9, 1),
    "status": "FOLLOWED_UP",
    "follow_ups": 2,
    "visit_id": "visit-1",
}


def answered(model: type[BaseModel], data: dict[str, Any]) -> Any:
    return model.model_validate(data).model_dump(mode="json")


def as_json(data: dict[str, Any]) -> Any:
    return json.loads(json.dumps(data, default=str))


def test_the_summary_keeps_its_string_years_and_every_category_and_severity() -> None:
    groups = [
        Group(2021, "ETIKA", "BERAT", "ASN", True, 2),
        Group(2023, "KEUANGAN", "RINGAN", "PERANGKAT_DESA", False, 1),
    ]
    data = summary(groups, repeat_officials=1)
    reply = answered(FindingsSummary, data)
    assert reply == data
    assert list(reply["by_subject_type"]) == ["ASN", "KEPALA_DESA", "PERANGKAT_DESA"]
    assert list(reply["by_year"]) == ["2021", "2023"]
    assert list(reply["by_category"]) == [c.value for c in FindingCategory]


def test_the_trend_keeps_each_year_and_its_change() -> None:
    data = trend({2021: 20, 2022: 10, 2023: 7}, 2023)
    assert answered(Trend, data) == data


def test_open_findings_keep_every_column_and_their_age() -> None:
    data = with_age([OPEN_ROW], TODAY, 30)
    reply = answered(OpenFindings, data)
    assert reply == as_json(data)
    assert reply["findings"][0]["found_on"] == "2023-09-01"


def test_visits_keep_every_desa_and_visit() -> None:
    held = [{"visit_id": "v-1", "host_desa": "Garon", "held_on": date(2023, 3, 7), "findings": 1}]
    desa = per_desa((BALEREJO, GARON), ["Garon"], {"35.20.99.2001": 1})
    data = {"year": 2023, "desa": desa, "visits": held}
    reply = answered(Visits, data)
    assert reply == as_json(data)
    assert reply["desa"][-1] == {"desa": "35.20.99.2001", "name": None, "visits": 0, "findings": 1}
