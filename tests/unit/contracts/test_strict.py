"""Strict input, once in the contracts: no control character in text, no bool or float or
digits-as-text for a body's integer, no number for a date; a query's integers from text.
Every refusal names its field, in Bahasa Indonesia and in English."""

from __future__ import annotations

import copy
import importlib
import inspect
from collections.abc import Iterator
from typing import Annotated, Any, get_args, get_origin

import pytest
from pydantic import AfterValidator, BaseModel, BeforeValidator, Strict, ValidationError

from shared.contracts import SERVICES, Command, Query
from shared.contracts import distribution as dist
from shared.contracts import donations as don
from shared.contracts import integrity as integ
from shared.contracts import scheduler as sched
from shared.edge.rpc import invalid_reply
from shared.strict import EventLine, EventText, free_text, iso_date, one_line, whole_number

pytestmark = pytest.mark.unit

NIK, NO_KK = "3520054101900001", "3520050101080001"
HOUSEHOLD = "0190a3f4-0000-7000-8000-000000000001"
VALID: dict[type[Command], dict[str, Any]] = {
    sched.ConfigureKecamatan: {
        "code": "35.20.05",
        "name": "Kawedanan",
        "desa": [{"code": "35.20.05.2001", "name": "Balerejo"}],
        "units": ["Kantor Kecamatan"],
        "days_off": [{"date": "2025-08-18", "name": "Hari jadi kabupaten"}],
    },
    sched.ScheduleMonth: {"year": 2025, "month": 3},
    sched.HoldActivity: {
        "held_on": "2025-03-07",
        "attendance": {"officials": 12, "residents": 40},
        "notes": "Lancar,\nhujan sore",
    },
    sched.CancelActivity: {"reason": "Banjir"},
    sched.RescheduleActivity: {"date": "2025-03-06", "reason": "Banjir"},
    don.ReceiveDonation: {
        "unit": "Kantor Kecamatan",
        "amount_idr": 50_000,
        "received_on": "2025-03-03",
        "donor": "Pak Camat",
    },
    don.VoidDonation: {"reason": "Salah catat"},
    don.ProcurePackages: {
        "packages": 10,
        "unit_price_idr": 100_000,
        "purchased_on": "2025-03-04",
        "supplier": "Toko Makmur",
    },
    don.RecordExpense: {  # H3 books
        "amount_idr": 15_000,
        "spent_on": "2025-03-05",
        "category": "TRANSPORT",
        "description": "Bensin ke Desa Balerejo",
    },
    dist.RegisterHousehold: {
        "no_kk": NO_KK,
        "nik": NIK,
        "name": "Siti Aminah",
        "desa": "35.20.05.2001",
        "address": "Dusun Krajan\nRT 01 RW 02",
        "desil": 3,
        "registry": "DTSEN",
        "snapshot_date": "2025-01-15",
        "aid": ["PBI_JK"],
        "members": [{"nik": "3520054101900002", "name": "Parmi"}],  # H1 households v2
    },
    dist.ImportHouseholds: {"csv": "no_kk,nik\n"},
    dist.ChangeHousehold: {  # H1 households v2
        "desa": "35.20.05.2001",
        "desil": 2,
        "registry": "DTSEN",
        "snapshot_date": "2025-01-15",
        "address": "Dusun Krajan",
        "name": "Siti Aminah",
        "members": [{"nik": "3520054101900002", "name": "Parmi"}],
    },
    dist.ImportAid: {  # H1 households v2
        "program": "PKH",
        "as_of": "2025-02-01",
        "source": "SK Dinas Sosial 12/2025",
        "csv": "nik\n",
    },
    dist.ChangeAid: {"aid": ["PKH"], "as_of": "2025-02-01"},
    dist.AdjustStock: {  # H2 stock
        "packages": -2,
        "reason": "Dua paket rusak\nterkena air hujan",
        "adjusted_on": "2025-03-10",
    },
    dist.AttachEvidence: {"file": "iVBORw0KGgo="},  # H2 evidence: the upload in base64
    dist.OpenRound: {"desa": "35.20.05.2001", "month": "2025-03", "quota": 20},
    dist.HandOutPackage: {"household_id": HOUSEHOLD, "distributed_on": "2025-03-07"},
    integ.RecordFinding: {
        "unit": "Kantor Kecamatan",
        "category": "ETIKA",
        "severity": "RINGAN",
        "found_on": "2025-03-01",
        "source": "SERASA_DESA",
        "description": "Petugas datang terlambat.\n\tDua kali.",
        "visit_id": "visit-1",
        "official": "198701012010011001",
        "subject_type": "KEPALA_DESA",
    },
    integ.FollowUpFinding: {"action": "Teguran lisan", "sanction": "TEGURAN_LISAN"},
    integ.ResolveFinding: {"action": "Selesai"},
    integ.DismissFinding: {"reason": "Tidak terbukti"},
}


def commands() -> list[type[Command]]:
    found: list[type[Command]] = []
    for service in SERVICES:
        module = importlib.import_module(f"shared.contracts.{service}")
        found += [
            c
            for _, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, Command) and c.__module__ == module.__name__ and c.model_fields
        ]
    return found


def queries() -> list[type[Query]]:
    found: list[type[Query]] = []
    for service in SERVICES:
        module = importlib.import_module(f"shared.contracts.{service}")
        found += [
            q
            for _, q in inspect.getmembers(module, inspect.isclass)
            if issubclass(q, Query) and q.__module__ == module.__name__ and q.model_fields
        ]
    return found


def leaves(body: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every scalar of a JSON body with its path."""
    if isinstance(body, dict):
        for key, value in body.items():
            yield from leaves(value, (*path, key))
    elif isinstance(body, list):
        for i, value in enumerate(body):
            yield from leaves(value, (*path, i))
    else:
        yield path, body


def replaced(body: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target: Any = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def refused_field(command: type[BaseModel], body: dict[str, Any]) -> str:
    """The field a 422 names, checking both messages name it too."""
    with pytest.raises(ValidationError) as caught:
        command.model_validate(body)
    error = invalid_reply(caught.value).error
    assert error is not None
    assert error["code"] == "INVALID"
    assert error["field"] in error["message"]
    assert error["field"] in error["message_en"]
    assert error["message"] != error["message_en"]
    return str(error["field"])


def dotted(path: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in path)


def _guards(tp: Any, found: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Each leaf type of an annotation with the metadata guarding it."""
    if get_origin(tp) is Annotated:
        base, *meta = get_args(tp)
        yield from _guards(base, (*found, *meta))
    elif get_args(tp):
        for arg in get_args(tp):
            yield from _guards(arg, found)
    else:
        yield tp, found


def _is(meta: tuple[Any, ...], kind: type[Any], *funcs: Any) -> bool:
    return any(isinstance(m, kind) and getattr(m, "func", None) in funcs for m in meta)


TEXT_GUARDS = (one_line, free_text, get_args(EventLine)[1].func, get_args(EventText)[1].func)


def _fields(model: type[BaseModel]) -> Iterator[tuple[str, Any, tuple[Any, ...]]]:
    for name, info in model.model_fields.items():
        for leaf, meta in _guards(info.annotation, tuple(info.metadata)):
            if isinstance(leaf, type) and issubclass(leaf, BaseModel):
                yield from ((f"{name}.{n}", t, m) for n, t, m in _fields(leaf))
            else:
                yield name, leaf, meta


def _patterned(meta: tuple[Any, ...]) -> bool:
    return any(getattr(m, "pattern", None) for m in meta)


def test_the_table_covers_every_command_with_input() -> None:
    assert set(commands()) == set(VALID)


@pytest.mark.parametrize("command", list(VALID), ids=lambda c: c.__name__)
def test_the_valid_bodies_are_accepted(command: type[Command]) -> None:
    command.model_validate(VALID[command])


def text_leaves() -> list[tuple[type[Command], tuple[Any, ...]]]:
    return [
        (c, path)
        for c, body in VALID.items()
        for path, value in leaves(body)
        if isinstance(value, str) and path != ("csv",)
    ]


@pytest.mark.parametrize(
    ("command", "path"), text_leaves(), ids=lambda v: v.__name__ if isinstance(v, type) else None
)
@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"])
def test_a_control_character_in_any_text_is_refused_naming_its_field(
    command: type[Command], path: tuple[Any, ...], char: str
) -> None:
    body = VALID[command]
    value = next(v for p, v in leaves(body) if p == path)
    assert refused_field(command, replaced(body, path, f"{value[:3]}{char}{value[3:]}")) == (
        dotted(path)
    )


@pytest.mark.parametrize(
    ("command", "path"),
    [
        (sched.ConfigureKecamatan, ("name",)),
        (sched.ConfigureKecamatan, ("desa", 0, "name")),
        (sched.ConfigureKecamatan, ("units", 0)),
        (don.ReceiveDonation, ("donor",)),
        (don.ProcurePackages, ("supplier",)),
        (don.RecordExpense, ("description",)),
        (dist.RegisterHousehold, ("name",)),
        (integ.RecordFinding, ("unit",)),
    ],
)
@pytest.mark.parametrize("char", ["\t", "\n", "\r", "\u2028"])
def test_one_line_text_refuses_tabs_and_line_breaks_inside(
    command: type[Command], path: tuple[Any, ...], char: str
) -> None:
    body = replaced(VALID[command], path, f"Dua{char}kata")
    assert refused_field(command, body) == dotted(path)


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (sched.HoldActivity, "notes"),
        (sched.CancelActivity, "reason"),
        (don.VoidDonation, "reason"),
        (dist.RegisterHousehold, "address"),
        (integ.RecordFinding, "description"),
        (integ.DismissFinding, "reason"),
    ],
)
def test_free_text_keeps_tabs_and_line_breaks_but_no_other_control(
    command: type[Command], field: str
) -> None:
    kept = command.model_validate({**VALID[command], field: "Satu\tdua\r\ntiga\nempat"})
    assert getattr(kept, field) == "Satu\tdua\r\ntiga\nempat"
    assert refused_field(command, {**VALID[command], field: "Satu\x0bdua"}) == field
    assert refused_field(command, {**VALID[command], field: "Satu\x00"}) == field


def number_leaves() -> list[tuple[type[Command], tuple[Any, ...]]]:
    return [
        (c, path)
        for c, body in VALID.items()
        for path, value in leaves(body)
        if isinstance(value, int) and not isinstance(value, bool)
    ]


@pytest.mark.parametrize(
    ("command", "path"), number_leaves(), ids=lambda v: v.__name__ if isinstance(v, type) else None
)
@pytest.mark.parametrize("kind", ["bool", "float", "text"])
def test_a_bodys_integer_is_an_integer_only(
    command: type[Command], path: tuple[Any, ...], kind: str
) -> None:
    body = VALID[command]
    value = next(v for p, v in leaves(body) if p == path)
    wrong = {"bool": True, "float": float(value), "text": str(value)}[kind]
    assert refused_field(command, replaced(body, path, wrong)) == dotted(path)


def test_the_coercions_found_are_refused() -> None:
    assert refused_field(sched.ScheduleMonth, {"year": 2025, "month": True}) == "month"
    assert refused_field(sched.ScheduleMonth, {"year": 2025.0, "month": 1}) == "year"
    household = VALID[dist.RegisterHousehold]
    assert refused_field(dist.RegisterHousehold, {**household, "desil": True}) == "desil"
    assert refused_field(dist.RegisterHousehold, {**household, "snapshot_date": 0}) == (
        "snapshot_date"
    )


def date_leaves() -> list[tuple[type[Command], tuple[Any, ...]]]:
    return [
        (c, path)
        for c, body in VALID.items()
        for path, value in leaves(body)
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-"
    ]


@pytest.mark.parametrize(
    ("command", "path"), date_leaves(), ids=lambda v: v.__name__ if isinstance(v, type) else None
)
@pytest.mark.parametrize("wrong", [0, 20250307, 1741305600.0, True, "2025-3-7", "07-03-2025"])
def test_a_date_is_written_yyyy_mm_dd_never_a_number(
    command: type[Command], path: tuple[Any, ...], wrong: Any
) -> None:
    assert refused_field(command, replaced(VALID[command], path, wrong)) == dotted(path)


def test_every_date_of_a_body_is_covered() -> None:
    assert {(c.__name__, p) for c, p in date_leaves()} >= {
        ("ConfigureKecamatan", ("days_off", 0, "date")),
        ("RegisterHousehold", ("snapshot_date",)),
        ("ChangeAid", ("as_of",)),
        ("HandOutPackage", ("distributed_on",)),
        ("RecordFinding", ("found_on",)),
    }


GOOD_QUERY = {"year": "2025", "month": "3", "overdue_days": "30"}


def query_ints() -> list[tuple[type[Query], str]]:
    return [(q, name) for q in queries() for name, leaf, _ in _fields(q) if leaf is int]


@pytest.mark.parametrize(
    ("query", "name"), query_ints(), ids=lambda v: v.__name__ if isinstance(v, type) else v
)
def test_a_querys_integer_is_read_from_its_digits_only(query: type[Query], name: str) -> None:
    others = {n: GOOD_QUERY[n] for n, _, _ in _fields(query) if n != name and n in GOOD_QUERY}
    good = GOOD_QUERY[name]
    assert getattr(query.model_validate({**others, name: good}), name) == int(good)
    assert getattr(query.model_validate({**others, name: int(good)}), name) == int(good)
    for wrong in (f"{good}.0", "true", True, f" {good}", "2_025", "1e3", ""):
        assert refused_field(query, {**others, name: wrong}) == name


def test_a_querys_text_refuses_control_characters() -> None:
    assert refused_field(dist.HouseholdsQuery, {"desa": "35.20.05.2001\x00"}) == "desa"


@pytest.mark.parametrize("command", list(VALID), ids=lambda c: c.__name__)
def test_every_field_of_a_command_has_a_strict_type(command: type[Command]) -> None:
    """A new field must use the contract's types (shared/contracts/base.py)."""
    import datetime as dt  # noqa: PLC0415

    for name, leaf, meta in _fields(command):
        if leaf is str and name != "csv":
            guarded = _is(meta, AfterValidator, *TEXT_GUARDS) or _patterned(meta)
            assert guarded, f"{command.__name__}.{name} is unguarded text"
        elif leaf is int:
            assert any(isinstance(m, Strict) for m in meta), f"{command.__name__}.{name}"
        elif leaf is dt.date:
            assert _is(meta, BeforeValidator, iso_date), f"{command.__name__}.{name}"


@pytest.mark.parametrize("query", queries(), ids=lambda q: q.__name__)
def test_every_field_of_a_query_has_a_strict_type(query: type[Query]) -> None:
    for name, leaf, meta in _fields(query):
        if leaf is int:
            assert _is(meta, BeforeValidator, whole_number), f"{query.__name__}.{name}"
        elif leaf is str:
            assert _is(meta, AfterValidator, one_line), f"{query.__name__}.{name}"


def test_the_refusal_names_the_character_and_where_it_is() -> None:
    with pytest.raises(ValidationError) as caught:
        don.ProcurePackages.model_validate(
            {**VALID[don.ProcurePackages], "supplier": "Toko\x00Makmur"}
        )
    error = invalid_reply(caught.value).error
    assert error == {
        "code": "INVALID",
        "message": "Isian 'supplier' tidak valid: berisi karakter kendali U+0000 pada posisi 5",
        "message_en": "Field 'supplier' is invalid: contains the control character U+0000"
        " at position 5",
        "field": "supplier",
    }


def test_the_structure_checks_see_the_guards() -> None:
    """The checks above read the real metadata: an unguarded field would be caught."""
    meta = {name: m for name, _, m in _fields(don.ProcurePackages)}
    assert _is(meta["supplier"], AfterValidator, one_line)
    assert any(isinstance(m, Strict) for m in meta["packages"])
    assert _is(meta["purchased_on"], BeforeValidator, iso_date)
    assert not _is(meta["packages"], AfterValidator, *TEXT_GUARDS)
