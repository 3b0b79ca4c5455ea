"""Setting up a kecamatan: its desa in rotation order, its units and rota options."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from services.scheduler import domain
from services.scheduler.state import evolve_setup
from shared.contracts.scheduler import ConfigureKecamatan, ScheduleMonth
from shared.errors import DomainError
from shared.events.scheduler import ActivityKind, DayOff, Desa, KecamatanConfigured
from tests.unit.scheduler.given import KEC

pytestmark = pytest.mark.unit

BODY: dict[str, Any] = {
    "name": "Kawedanan",
    "desa": [
        {"code": "35.20.05.2004", "name": "Balerejo"},
        {"code": "3520052001", "name": "Mangunrejo"},
    ],
    "units": ["Kantor Kecamatan", "Pemdes Balerejo"],
}


def configure(body: dict[str, Any], setup: Any = None) -> list[Any]:
    return domain.configure(setup, ConfigureKecamatan.model_validate(body), KEC)


def field_of(body: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        ConfigureKecamatan.model_validate(body)
    return ".".join(str(p) for p in caught.value.errors()[0]["loc"])


def test_a_first_set_up_is_recorded_with_dotted_codes_in_rotation_order() -> None:
    assert configure(BODY) == [
        KecamatanConfigured(
            kecamatan=KEC,
            name="Kawedanan",
            desa=[
                Desa(code="35.20.05.2004", name="Balerejo"),
                Desa(code="35.20.05.2001", name="Mangunrejo"),
            ],
            units=["Kantor Kecamatan", "Pemdes Balerejo"],
        )
    ]


def test_the_same_set_up_again_appends_nothing_and_a_change_is_recorded() -> None:
    setup = evolve_setup(None, configure(BODY)[0])
    assert configure(BODY, setup) == []
    changed = configure({**BODY, "units": ["Kantor Kecamatan"]}, setup)
    assert [e.units for e in changed] == [["Kantor Kecamatan"]]


def test_the_kecamatan_answers_code_name_desa_and_units() -> None:
    setup = evolve_setup(None, configure(BODY)[0])
    assert setup is not None
    assert setup.answer() == {
        "code": "35.20.05",
        "name": "Kawedanan",
        "desa": [
            {"code": "35.20.05.2004", "name": "Balerejo"},
            {"code": "35.20.05.2001", "name": "Mangunrejo"},
        ],
        "units": ["Kantor Kecamatan", "Pemdes Balerejo"],
    }


def test_rota_options_are_kept_and_shown_when_set() -> None:
    body = {**BODY, "fifth_friday": "SENAM", "days_off": [{"date": "2023-10-12", "name": "HUT"}]}
    setup = evolve_setup(None, configure(body)[0])
    assert setup is not None
    assert setup.fifth_friday is ActivityKind.SENAM
    assert setup.days_off == (DayOff(date=date(2023, 10, 12), name="HUT"),)
    assert setup.answer()["fifth_friday"] == "SENAM"


def test_a_desa_of_another_kecamatan_is_refused_naming_the_field() -> None:
    body = {**BODY, "desa": [*BODY["desa"], {"code": "35.20.06.2001", "name": "Lain"}]}
    with pytest.raises(DomainError) as caught:
        configure(body)
    assert (caught.value.status, caught.value.field) == (422, "desa.2.code")


def test_a_desa_listed_twice_is_refused_naming_the_field() -> None:
    body = {**BODY, "desa": [*BODY["desa"], {"code": "35.20.05.2004", "name": "Lagi"}]}
    with pytest.raises(DomainError) as caught:
        configure(body)
    assert (caught.value.status, caught.value.field) == (422, "desa.2.code")


def test_a_code_in_the_body_must_be_the_kecamatan_of_the_path() -> None:
    assert configure({**BODY, "code": "35.20.05"})
    with pytest.raises(DomainError) as caught:
        configure({**BODY, "code": "35.20.06"})
    assert caught.value.field == "code"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"desa": [{"code": "35.20.05", "name": "x"}]}, "desa.0.code"),
        ({"desa": []}, "desa"),
        ({"desa": [{"code": "35.20.05.2001", "name": " "}]}, "desa.0.name"),
        ({"name": ""}, "name"),
        ({"units": ["A", "A"]}, "units"),
        ({"fifth_friday": "SERASA_DESA"}, "fifth_friday"),
        ({"fifth_friday": "SENAM_PAGI"}, "fifth_friday"),
        ({"days_off": [{"date": "2023-02-30", "name": "x"}]}, "days_off.0.date"),
    ],
)
def test_bad_set_up_input_names_the_field(change: dict[str, Any], field: str) -> None:
    assert field_of({**BODY, **change}) == field


@pytest.mark.parametrize(
    ("body", "field"), [({"year": 2023, "month": 13}, "month"), ({"month": 1}, "year")]
)
def test_a_schedule_needs_a_year_and_a_month(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ScheduleMonth.model_validate(body)
    assert caught.value.errors()[0]["loc"] == (field,)
