"""The events' second line of defence: text with a control character is never made into an
event, whatever slipped past a command; an event read back from the log is taken as stored."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from shared.events.base import upcast
from shared.events.distribution import RoundOpened
from shared.events.donations import PackagesProcured
from shared.events.integrity import FindingRecorded
from shared.events.scheduler import ActivityCancelled, ActivityKind, DayOff, KecamatanConfigured

pytestmark = pytest.mark.unit


def procured(**kw: Any) -> dict[str, Any]:
    return {
        "procurement_id": "p1",
        "packages": 2,
        "unit_price_idr": 100_000,
        "total_idr": 200_000,
        "purchased_on": date(2025, 3, 4),
        "supplier": "Toko Makmur",
        "balance_after_idr": 0,
    } | kw


def test_an_event_is_never_made_with_a_control_character_in_its_text() -> None:
    with pytest.raises(ValidationError) as caught:
        PackagesProcured(**procured(supplier="Toko\x00Makmur"))
    assert caught.value.errors()[0]["loc"] == ("supplier",)
    with pytest.raises(ValidationError) as caught:
        KecamatanConfigured(kecamatan="35.20.05", name="K", desa=[], units=["Kantor\nKecamatan"])
    assert caught.value.errors()[0]["loc"] == ("units", 0)
    with pytest.raises(ValidationError) as caught:
        RoundOpened(round_id="r", desa="35.20.05.2001\x00", month="2025-03", quota=1)
    assert caught.value.errors()[0]["loc"] == ("desa",)
    with pytest.raises(ValidationError) as caught:
        DayOff(date=date(2025, 8, 18), name="Hari\x1bjadi")
    assert caught.value.errors()[0]["loc"] == ("name",)


def test_an_events_free_text_keeps_its_line_breaks() -> None:
    event = ActivityCancelled(
        activity_id="a",
        kind=ActivityKind.SENAM,
        date=date(2025, 3, 7),
        host_desa=None,
        reason="Hujan\nderas",
    )
    assert event.reason == "Hujan\nderas"
    with pytest.raises(ValidationError):
        ActivityCancelled(**{**event.model_dump(), "reason": "Hujan\x00"})


def test_an_event_read_back_from_the_log_is_taken_as_it_was_stored() -> None:
    """An event stored before the rule (a NUL in a supplier) still loads: its aggregate and
    replay keep working; only new events are judged."""
    stored = {**procured(supplier="Toko\x00Makmur"), "purchased_on": "2025-03-04"}
    event = upcast("PackagesProcured", 1, stored)
    assert isinstance(event, PackagesProcured)
    assert event.supplier == "Toko\x00Makmur"


def test_a_day_off_is_a_date_never_a_number() -> None:
    with pytest.raises(ValidationError):
        DayOff.model_validate({"date": 0, "name": "Libur"})
    assert DayOff.model_validate({"date": "2025-08-18", "name": "Libur"}).date == date(2025, 8, 18)


def test_a_findings_clear_fields_are_guarded_too() -> None:
    with pytest.raises(ValidationError) as caught:
        FindingRecorded.model_validate(
            {
                "finding_id": "f",
                "unit": "Kantor\x00",
                "unit_name": "Kantor",
                "desa": None,
                "subject_type": "ASN",
                "official": None,
                "official_id": None,
                "category": "ETIKA",
                "severity": "RINGAN",
                "source": "INTERNAL",
                "found_on": "2025-03-01",
                "description": "v1:AAAA",
                "visit_id": None,
            }
        )
    assert [e["loc"] for e in caught.value.errors()] == [("unit",)]
