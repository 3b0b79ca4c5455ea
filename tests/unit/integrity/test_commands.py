"""Input shape: closed vocabularies, ISO dates, bounded text, an opaque official reference."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from shared.contracts.integrity import (
    DismissFinding,
    FollowUpFinding,
    RecordFinding,
    ResolveFinding,
)
from shared.events.integrity import FindingCategory, FindingRecorded, FindingSeverity
from tests.unit.integrity.given import recorded

pytestmark = pytest.mark.unit

BODY: dict[str, Any] = {
    "unit": "Balerejo",
    "category": "GRATIFIKASI",
    "severity": "BERAT",
    "found_on": "2023-05-09",
    "source": "PENGADUAN",
    "description": "Pungutan di luar ketentuan untuk surat pengantar",
}


def field_of(body: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        RecordFinding.model_validate(body)
    return ".".join(str(p) for p in caught.value.errors()[0]["loc"])


def test_a_well_formed_finding_is_read_with_its_vocabulary_and_date() -> None:
    cmd = RecordFinding.model_validate(BODY)
    assert (cmd.category, cmd.severity, cmd.found_on) == (
        FindingCategory.GRATIFIKASI,
        FindingSeverity.BERAT,
        date(2023, 5, 9),
    )
    assert cmd.visit_id is None
    assert cmd.official_ref is None


def test_every_category_and_severity_of_the_contract_is_accepted() -> None:
    for category in ("KEHADIRAN", "PELAYANAN", "ETIKA", "ADMINISTRASI", "KEUANGAN", "GRATIFIKASI"):
        for severity in ("RINGAN", "SEDANG", "BERAT"):
            RecordFinding.model_validate(BODY | {"category": category, "severity": severity})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "KORUPSI"),
        ("category", "kehadiran"),
        ("severity", "RINGAN_SEKALI"),
        ("severity", 1),
        ("source", "MEDIA"),
        ("found_on", "09-05-2023"),
        ("found_on", "2023-02-30"),
        ("found_on", 1683590400),
        ("found_on", "2023-05-09T10:00:00"),
        ("unit", ""),
        ("description", ""),
        ("description", "x" * 4001),
        ("visit_id", ""),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(field: str, value: Any) -> None:
    assert field_of(BODY | {field: value}) == field


@pytest.mark.parametrize("field", ["unit", "category", "severity", "found_on", "source"])
def test_a_missing_field_is_refused_naming_it(field: str) -> None:
    assert field_of({k: v for k, v in BODY.items() if k != field}) == field


def test_an_unknown_field_is_refused_so_no_name_slips_in() -> None:
    assert field_of(BODY | {"official_name": "Budi Santoso"}) == "official_name"


@pytest.mark.parametrize("reference", ["ASN-017", "PD/2023/04", "3520.05.017"])
def test_an_opaque_official_reference_is_accepted(reference: str) -> None:
    assert (
        RecordFinding.model_validate(BODY | {"official_ref": reference}).official_ref == reference
    )


@pytest.mark.parametrize("reference", ["Budi Santoso", "Budi", "", "A" * 41])
def test_an_official_reference_that_could_be_a_name_is_refused(reference: str) -> None:
    assert field_of(BODY | {"official_ref": reference}) == "official_ref"


def test_follow_up_resolve_and_dismiss_need_their_text() -> None:
    assert FollowUpFinding.model_validate({"action": "Teguran"}).texts() == {"action": "Teguran"}
    for model, body in (
        (FollowUpFinding, {"sanction": "x"}),
        (ResolveFinding, {}),
        (DismissFinding, {"reason": " "}),
    ):
        with pytest.raises(ValidationError):
            model.model_validate(body)


def test_the_event_contract_refuses_clear_free_text() -> None:
    with pytest.raises(ValidationError):
        recorded(description="Pak Budi Santoso menerima amplop")
    with pytest.raises(ValidationError):
        recorded(official_token="ASN-017")
    assert isinstance(recorded(), FindingRecorded)
