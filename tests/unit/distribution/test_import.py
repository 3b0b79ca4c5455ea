"""Registry CSV import: each line stands alone, with its file line number and reason."""

from __future__ import annotations

import pytest

from services.distribution.csvimport import Candidate, Rejection, candidates, parse_csv
from tests.unit.distribution.support import BALEREJO, DESA, TODAY

pytestmark = pytest.mark.unit

HEADER = "no_kk,nik,name,desa,address,desil,registry,snapshot_date,aid"


def line(kk: str, nik: str, **kw: str) -> str:
    values = {
        "name": "Siti Aminah",
        "desa": BALEREJO,
        "address": "Dusun Krajan",
        "desil": "3",
        "registry": "DTKS",
        "snapshot_date": "2025-01-10",
        "aid": "",
    } | kw
    return ",".join(
        [
            kk,
            nik,
            values["name"],
            values["desa"],
            values["address"],
            values["desil"],
            values["registry"],
            values["snapshot_date"],
            values["aid"],
        ]
    )


def run(text: str) -> tuple[list[Candidate], dict[int, Rejection]]:
    accepted, rejected = candidates(parse_csv(text), DESA, TODAY)
    return accepted, {r.line: r for r in rejected}


def test_good_and_bad_lines_each_stand_alone() -> None:
    text = "\n".join(
        [
            HEADER,
            line("3520050101080001", "3520054101900001", aid="PBI_JK|OTHER"),
            line("35200501010800", "3520054101900002"),
            line("3520050101080003", "3520054101900003", desil="11"),
            line("3520050101080004", "3520054101900004", desa="35.20.06.2001"),
            line("3520050101080005", "3520054101900005", snapshot_date="2025-03-15"),
            line("3520050101080006", "3520054101900006", registry="BDT"),
            line("3520050101080007", "3520054101900007", aid="PKH|BANSOS"),
            line("3520050101080008", "3520054101900008"),
        ]
    )
    accepted, rejected = run(text)
    assert [(c.line, c.cmd.nik[-1]) for c in accepted] == [(2, "1"), (9, "8")]
    assert [a.value for a in accepted[0].cmd.aid] == ["PBI_JK", "OTHER"]
    assert {n: r.field for n, r in rejected.items()} == {
        3: "no_kk",
        4: "desil",
        5: "desa",
        6: "snapshot_date",
        7: "registry",
        8: "aid",
    }
    assert all("/" in r.reason for r in rejected.values())


def test_a_duplicate_of_an_earlier_line_is_rejected_naming_that_line() -> None:
    text = "\n".join(
        [
            HEADER,
            line("3520050101080001", "3520054101900001"),
            line("3520050101080001", "3520054101900002"),
            line("3520050101080003", "3520054101900001"),
            line("3520050101080001", "3520054101900001"),
        ]
    )
    accepted, rejected = run(text)
    assert [c.line for c in accepted] == [2]
    assert {n: r.field for n, r in rejected.items()} == {3: "no_kk", 4: "nik", 5: "no_kk"}
    assert "2" in rejected[3].reason


def test_a_line_duplicating_only_a_rejected_line_is_judged_on_its_own() -> None:
    text = "\n".join(
        [
            HEADER,
            line("3520050101080001", "3520054101900001", desa="35.20.06.2001"),
            line("3520050101080001", "3520054101900001"),
        ]
    )
    accepted, rejected = run(text)
    assert [c.line for c in accepted] == [3]
    assert list(rejected) == [2]


def test_bom_semicolons_blank_lines_and_quoted_newlines_keep_file_line_numbers() -> None:
    semi = HEADER.replace(",", ";")
    good = line("3520050101080001", "3520054101900001").replace(",", ";")
    quoted = line("3520050101080002", "3520054101900002", address='"Dusun\nKrajan"')
    bad = line("3520050101080003", "352005410190000X").replace(",", ";")
    text = "\ufeff" + "\r\n".join([semi, good, "", quoted.replace(",", ";"), bad]) + "\r\n"
    accepted, rejected = run(text)
    assert [c.line for c in accepted] == [2, 4]
    assert accepted[1].cmd.address == "Dusun\nKrajan"
    assert rejected[6].field == "nik"


def test_a_missing_column_rejects_each_line_naming_it() -> None:
    header = HEADER.replace("nik,", "")
    text = header + "\n" + line("3520050101080001", "").replace(",,", ",", 1)
    accepted, rejected = run(text)
    assert accepted == []
    assert rejected[2].field == "nik"


def test_more_values_than_columns_are_rejected() -> None:
    text = HEADER + "\n" + line("3520050101080001", "3520054101900001") + ",extra"
    _, rejected = run(text)
    assert rejected[2].field is None


def test_an_empty_file_or_a_header_alone_accepts_nothing() -> None:
    assert run("") == ([], {})
    assert run(HEADER + "\n") == ([], {})


def test_the_reason_never_repeats_the_clear_number() -> None:
    _, rejected = run(HEADER + "\n" + line("3520050101080001", "3520054101900001", desil="x"))
    assert "3520054101900001" not in rejected[2].reason
    assert "3520050101080001" not in rejected[2].reason


# -- SIKS-NG / DTSEN headers and members (households v2) --------------------------------


def test_siks_ng_and_dtsen_headers_are_read_as_the_contracts_columns() -> None:
    header = (
        "NOKK;NIK_KRT;NAMA_KRT;KODE DESA;Alamat;DESIL_NASIONAL;SUMBER_DATA;TGL_SNAPSHOT;ANGGOTA"
    )
    row = (
        f"3520050101080001;3520054101900001;Siti Aminah;{BALEREJO};Dusun Krajan;2;DTSEN;"
        "2025-01-10;3520054101900002:Parmi|3520054101900003:Tono Sugiarto"
    )
    [accepted], rejected = run(f"{header}\n{row}")
    assert rejected == {}
    cmd = accepted.cmd
    assert (cmd.no_kk, cmd.nik, cmd.name, cmd.desil, cmd.registry) == (
        "3520050101080001",
        "3520054101900001",
        "Siti Aminah",
        2,
        "DTSEN",
    )
    assert [(m.nik, m.name) for m in cmd.members] == [
        ("3520054101900002", "Parmi"),
        ("3520054101900003", "Tono Sugiarto"),
    ]


def test_a_bad_member_refuses_its_line_under_members() -> None:
    header = HEADER + ",anggota"
    text = "\n".join(
        [
            header,
            line("3520050101080001", "3520054101900001") + ",3520054101900002",
            line("3520050101080002", "3520054101900003") + ",3520054101900004:Ani",
        ]
    )
    accepted, rejected = run(text)
    assert [c.line for c in accepted] == [3]
    assert rejected[2].field == "members"


def test_a_member_nik_on_an_earlier_line_is_a_duplicate() -> None:
    header = HEADER + ",anggota"
    text = "\n".join(
        [
            header,
            line("3520050101080001", "3520054101900001") + ",3520054101900002:Ani",
            line("3520050101080002", "3520054101900002"),
        ]
    )
    accepted, rejected = run(text)
    assert [c.line for c in accepted] == [2]
    assert (rejected[3].field, "line 2" in rejected[3].reason) == ("nik", True)
