"""Recording a finding: a known unit or desa, no future date, a fitting Serasa Desa visit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from services.integrity.domain import (
    Finding,
    Status,
    Visit,
    evolve,
    official_key,
    record_finding,
)
from shared.contracts.integrity import RecordFinding
from shared.events.integrity import FindingRecorded, FindingSource, SubjectType
from tests.unit.integrity.given import (
    BALEREJO,
    FINDING_ID,
    SEALED,
    TODAY,
    VISIT,
    given,
    invalid,
    recorded,
    recording,
)

pytestmark = pytest.mark.unit


def command(**kw: Any) -> RecordFinding:
    fields: dict[str, Any] = {
        "unit": "35.20.05.2004",
        "category": "KEHADIRAN",
        "severity": "RINGAN",
        "found_on": "2023-10-02",
        "source": "INSPEKTORAT",
        "description": "Kepala dusun tidak hadir saat jam pelayanan",
    }
    return RecordFinding.model_validate(fields | kw)


def record(cmd: RecordFinding, visit: Visit | None = None, **kw: Any) -> FindingRecorded:
    [event] = record_finding(Finding(), cmd, recording(visit, **kw))
    assert isinstance(event, FindingRecorded)
    return event


def test_a_finding_is_recorded_with_its_unit_resolved_and_its_text_sealed() -> None:
    official_id = "5b3c2a10-0000-5000-8000-000000000017"
    cmd = command(official="Budi Santoso", subject_type="PERANGKAT_DESA")
    event = record(cmd, official_id=official_id)
    assert event == recorded(
        official=SEALED, official_id=official_id, subject_type=SubjectType.PERANGKAT_DESA
    )
    assert event.description == SEALED
    assert "Kepala dusun" not in event.model_dump_json()
    assert "Budi" not in event.model_dump_json()


def test_a_finding_without_a_subject_type_concerns_an_asn_and_names_no_official() -> None:
    event = record(command())
    assert (event.subject_type, event.official, event.official_id) == (SubjectType.ASN, None, None)


@pytest.mark.parametrize(
    ("typed", "same"),
    [
        ("19850101 201001 1 001", "198501012010011001"),
        ("1985.0101-2010011001", "198501012010011001"),
        ("  Budi   SANTOSO ", "budi santoso"),
    ],
)
def test_an_official_is_the_same_however_the_nip_or_name_is_typed(typed: str, same: str) -> None:
    assert official_key(typed) == official_key(same)
    assert official_key("Budi Santoso") != official_key("Budi Santosa")
    assert official_key("198501012010011001") != official_key("198501012010011002")


@pytest.mark.parametrize("unit", ["35.20.05.2004", "3520052004", "Balerejo", " balerejo "])
def test_a_desa_is_named_by_its_code_with_or_without_dots_or_by_its_name(unit: str) -> None:
    event = record(command(unit=unit))
    assert (event.unit, event.unit_name, event.desa) == (BALEREJO.code, "Balerejo", BALEREJO.code)


def test_a_unit_of_the_kecamatan_is_named_as_configured_and_has_no_desa() -> None:
    event = record(command(unit="kantor kecamatan"))
    assert (event.unit, event.unit_name, event.desa) == (
        "Kantor Kecamatan",
        "Kantor Kecamatan",
        None,
    )


@pytest.mark.parametrize("unit", ["Kantor Bupati", "35.20.05.2099", "Desa Balerejo"])
def test_a_unit_that_is_neither_a_unit_nor_a_desa_of_the_kecamatan_is_refused(unit: str) -> None:
    invalid(lambda: record(command(unit=unit)), "unit")


def test_a_finding_dated_today_in_jakarta_is_accepted() -> None:
    assert record(command(found_on=TODAY.isoformat())).found_on == TODAY


def test_a_finding_dated_in_the_future_is_refused() -> None:
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    invalid(lambda: record(command(found_on=tomorrow)), "found_on")


def serasa(**kw: Any) -> RecordFinding:
    return command(source="SERASA_DESA", visit_id=VISIT.visit_id, found_on="2023-10-03", **kw)


def test_a_finding_made_on_a_serasa_desa_visit_links_to_it() -> None:
    event = record(serasa(), VISIT)
    assert (event.source, event.visit_id) == (FindingSource.SERASA_DESA, "visit-1")


def test_a_serasa_desa_finding_needs_no_visit_link() -> None:
    assert record(command(source="SERASA_DESA")).visit_id is None


@pytest.mark.parametrize("source", ["INSPEKTORAT", "PENGADUAN", "INTERNAL"])
def test_a_visit_link_is_refused_when_the_source_is_not_serasa_desa(source: str) -> None:
    cmd = command(source=source, visit_id=VISIT.visit_id, found_on="2023-10-03")
    invalid(lambda: record(cmd, VISIT), "visit_id")


def test_a_link_to_an_unknown_visit_is_refused() -> None:
    invalid(lambda: record(serasa(), None), "visit_id")
    invalid(
        lambda: record(serasa(), Visit("visit-2", BALEREJO.code, date(2023, 10, 3))), "visit_id"
    )


def test_a_finding_cannot_predate_the_visit_it_was_made_on() -> None:
    cmd = command(source="SERASA_DESA", visit_id=VISIT.visit_id, found_on="2023-10-02")
    invalid(lambda: record(cmd, VISIT), "found_on")


def test_recording_an_existing_finding_again_appends_nothing() -> None:
    assert record_finding(given(recorded()), command(), recording()) == []


def test_a_recorded_finding_is_open() -> None:
    state = evolve(Finding(), recorded())
    assert (state.finding_id, state.status, state.found_on) == (
        FINDING_ID,
        Status.RECORDED,
        date(2023, 10, 2),
    )
