"""Input shape: closed vocabularies, ISO dates, bounded text, the official, sanction codes."""

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
from shared.events.integrity import (
    FindingCategory,
    FindingRecorded,
    FindingSeverity,
    Sanction,
    SubjectType,
)
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
    assert (cmd.subject_type, cmd.official) == (SubjectType.ASN, None)


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
        ("subject_type", "LURAH"),
        ("subject_type", "asn"),
        ("official", ""),
        ("official", "A" * 121),
        ("official", "Budi\nSantoso"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(field: str, value: Any) -> None:
    assert field_of(BODY | {field: value}) == field


@pytest.mark.parametrize("field", ["unit", "category", "severity", "found_on", "source"])
def test_a_missing_field_is_refused_naming_it(field: str) -> None:
    assert field_of({k: v for k, v in BODY.items() if k != field}) == field


def test_an_unknown_field_is_refused_so_no_name_slips_in() -> None:
    assert field_of(BODY | {"official_name": "Budi Santoso"}) == "official_name"


@pytest.mark.parametrize("official", ["198501012010011001", "19850101 201001 1 001", "Budi S."])
def test_the_official_is_a_nip_or_a_name_and_goes_with_the_texts_to_seal(official: str) -> None:
    cmd = RecordFinding.model_validate(BODY | {"official": official})
    assert cmd.texts() == {"description": BODY["description"], "official": official}


@pytest.mark.parametrize("subject", ["ASN", "KEPALA_DESA", "PERANGKAT_DESA"])
def test_every_subject_type_of_the_contract_is_accepted(subject: str) -> None:
    assert RecordFinding.model_validate(BODY | {"subject_type": subject}).subject_type == subject


def test_a_sanction_is_a_code_of_the_lists() -> None:
    cmd = FollowUpFinding.model_validate({"action": "Teguran", "sanction": "TEGURAN_LISAN"})
    assert cmd.sanction is Sanction.TEGURAN_LISAN
    assert cmd.texts() == {"action": "Teguran"}, "a code is not personal: it is not sealed"
    with pytest.raises(ValidationError) as caught:
        FollowUpFinding.model_validate({"action": "Teguran", "sanction": "Teguran tertulis"})
    assert caught.value.errors()[0]["loc"] == ("sanction",)


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
        recorded(official="Budi Santoso")
    assert isinstance(recorded(), FindingRecorded)
