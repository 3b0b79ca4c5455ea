"""The dashboard's household list, plain refusals, codes in words, opening year, chart labels."""

from __future__ import annotations

from typing import Any

import pytest

from services.gateway.web.charts import Series, bars, split_label
from services.gateway.web.codes import CODES, FIELDS, HINTS
from services.gateway.web.i18n import TEXTS, Words
from services.gateway.web.listing import PAGE_SIZE, Search, find, initials_of
from services.gateway.web.plain import form_errors, line_reason, plain_rejections
from services.gateway.web.rounds import hand_out_day
from services.gateway.web.years import has_figures
from shared.contracts.distribution import RegisterHousehold
from shared.edge.rpc import RpcReply
from shared.events.distribution import Aid, Registry
from shared.events.integrity import FindingCategory, FindingSeverity, FindingSource

pytestmark = pytest.mark.unit

ID, EN = Words("id"), Words("en")
DESA = ["35.20.05.2001", "35.20.05.2002", "35.20.05.2003"]


def household(n: int, desa: str, name: str, desil: int, **more: Any) -> dict[str, Any]:
    return {
        "household_id": f"h{n}",
        "name_masked": " ".join(w[0] + "*" * (len(w) - 1) for w in name.split()),
        "nik_masked": f"3520********{n:04d}",
        "desa": desa,
        "desil": desil,
        "aid": [],
        "eligible": True,
        "forgotten": False,
        **more,
    }


ROWS = [
    household(i, DESA[i % 3], ["Siti Aminah", "Joko Santoso", "Sri Astuti"][i % 3], i % 10 + 1)
    for i in range(1, 61)
]


def test_a_nik_suffix_finds_only_the_households_whose_nik_ends_so() -> None:
    page = find(ROWS, Search(nik="0007"), DESA)
    assert [r["household_id"] for r in page.rows] == ["h7"]
    assert find(ROWS, Search(nik="1"), DESA).total == 6, "0001, 0011, ..., 0051"


def test_initials_match_the_start_of_the_masked_names_first_letters() -> None:
    assert initials_of("S*** A*****") == "SA"
    found = find(ROWS, Search(initials="SA"), DESA)
    assert found.total == 40, "Siti Aminah and Sri Astuti, not Joko Santoso"
    assert {initials_of(r["name_masked"]) for r in found.rows} == {"SA"}
    assert find(ROWS, Search(initials="J"), DESA).total == 20


def test_a_forgotten_household_matches_no_search_but_stays_in_the_full_list() -> None:
    gone = household(99, DESA[0], "Ani", 2, forgotten=True, name_masked=None, nik_masked=None)
    assert find([*ROWS, gone], Search(nik="0099"), DESA).total == 0
    assert find([*ROWS, gone], Search(), DESA).total == 61


def test_the_list_is_paged_and_a_page_past_the_end_is_the_last() -> None:
    first = find(ROWS, Search(), DESA)
    assert len(first.rows) == PAGE_SIZE
    assert (first.number, first.pages, first.first, first.last) == (1, 3, 1, 25)
    last = find(ROWS, Search(page=99), DESA)
    assert (last.number, len(last.rows), last.first, last.last) == (3, 10, 51, 60)
    every = [r["household_id"] for n in (1, 2, 3) for r in find(ROWS, Search(page=n), DESA).rows]
    assert sorted(every) == sorted(r["household_id"] for r in ROWS), "no row lost or doubled"


def test_sorting_by_desa_follows_the_rotation_order_and_by_desil_rises() -> None:
    by_desa = find(ROWS, Search(sort="desa", page=1), list(reversed(DESA))).rows
    assert by_desa[0]["desa"] == DESA[2]
    by_desil = [
        r["desil"] for n in (1, 2, 3) for r in find(ROWS, Search(sort="desil", page=n), DESA).rows
    ]
    assert by_desil == sorted(by_desil)


def test_the_query_string_is_read_leniently_and_written_back_without_blanks() -> None:
    search = Search.read({"nik": "12-3456", "inisial": "s.a", "urut": "drop table", "hal": "x"})
    assert (search.nik, search.initials, search.sort, search.page) == ("3456", "SA", "desa", 1)
    assert search.query(hal=2) == {"nik": "3456", "inisial": "SA", "urut": "desa", "hal": "2"}
    assert Search().query() == {"urut": "desa", "hal": "1"}


PATTERN_REASON = (
    "Isian 'nik' tidak valid: bentuknya tidak sesuai / Field 'nik' is invalid:"
    " String should match pattern '^[0-9]{16}$'"
)


def test_an_import_line_with_a_bad_nik_is_explained_without_the_pattern() -> None:
    assert line_reason("nik", PATTERN_REASON, ID) == "NIK harus 16 angka, tanpa spasi atau titik"
    english = line_reason("nik", PATTERN_REASON, EN)
    assert english == "NIK (ID number) must be 16 digits, no spaces or dots"
    for text in (line_reason("nik", PATTERN_REASON, ID), english):
        assert "pattern" not in text
        assert "^" not in text
        assert "'nik'" not in text


def test_a_missing_field_says_it_is_required_under_its_label() -> None:
    reason = "Isian 'no_kk' tidak valid: wajib diisi / Field 'no_kk' is invalid: Field required"
    assert line_reason("no_kk", reason, ID) == "No. KK wajib diisi"
    assert line_reason("no_kk", reason, EN) == "Family card number (No. KK) is required"


def test_a_business_refusal_keeps_the_services_words_in_the_viewers_language() -> None:
    reason = "Duplikat baris 2 / Duplicate of line 2 (nik)"
    assert line_reason("nik", reason, ID) == "Duplikat baris 2"
    assert line_reason("nik", reason, EN) == "Duplicate of line 2 (nik)"
    shown = plain_rejections([{"line": 3, "field": "snapshot_date", "reason": reason}], ID)
    assert shown == [{"line": 3, "field": "Tanggal data", "reason": "Duplikat baris 2"}]


def test_every_import_column_has_a_label_and_every_rule_column_a_hint() -> None:
    for column in RegisterHousehold.model_fields:
        assert column in FIELDS, column
    for column in ("no_kk", "nik", "desil", "registry", "snapshot_date", "aid"):
        assert ID.hint(column), column
        assert EN.hint(column), column
    assert set(HINTS) <= set(FIELDS)
    assert all(a.value in (ID.hint("aid") or "") for a in Aid), "the hint names every aid value"


def test_a_refused_form_field_is_said_as_its_rule() -> None:
    reply = RpcReply(
        status=422,
        error={
            "code": "INVALID",
            "message": "Isian 'desil' tidak valid: paling besar 10",
            "message_en": "Field 'desil' is invalid: Input should be less than or equal to 10",
            "field": "desil",
        },
    )
    assert form_errors(reply, ID, {"desil": "desil"}) == {"desil": "Desil harus angka 1 sampai 10"}
    assert form_errors(reply, EN, {}) == {"_form": "Decile must be a number from 1 to 10"}
    refusal = RpcReply(
        status=409,
        error={"code": "ROUND_EXISTS", "message": "Putaran sudah ada", "message_en": "Exists"},
    )
    assert form_errors(refusal, ID, {"desa": "desa"}) == {"_form": "Putaran sudah ada"}


@pytest.mark.parametrize(
    ("kind", "codes"),
    [
        ("category", list(FindingCategory)),
        ("severity", list(FindingSeverity)),
        ("source", list(FindingSource)),
        ("aid", list(Aid)),
        ("aid_short", list(Aid)),
        ("registry", list(Registry)),
        ("finding_status", ["RECORDED", "FOLLOWED_UP", "RESOLVED", "DISMISSED"]),
        ("service", ["scheduler", "donations", "distribution", "integrity"]),
        ("role", ["admin", "camat", "operator", "auditor", "bendahara"]),
    ],
)
def test_every_code_a_page_shows_has_words_in_both_languages(kind: str, codes: list[str]) -> None:
    assert {str(c) for c in codes} <= set(CODES[kind])
    for code in codes:
        indonesian, english = CODES[kind][str(code)]
        assert indonesian
        assert english
    assert ID.code("finding_status", "FOLLOWED_UP") == "Ditindaklanjuti"
    assert EN.code("source", "SERASA_DESA") == "Serasa Desa village visit"


def test_an_unknown_code_is_still_readable_and_no_projector_is_shown() -> None:
    assert ID.code("category", "NEW_THING") == "New thing"
    assert ID.code("category", None) == ""
    assert "Proyektor" not in {indonesian for indonesian, _ in TEXTS.values()}


def test_a_year_has_figures_when_anything_happened_in_it() -> None:
    empty: dict[str, Any] = {
        "year": 2026,
        "activities": {"scheduled": {"SENAM": 0}, "held": {"SENAM": 0}},
        "donations_idr": 0,
        "spent_idr": 0,
        "packages_distributed": 0,
        "findings_by_year": {"2023": 7, "2026": 0},
    }
    assert not has_figures(empty), "the findings of another year do not count"
    assert has_figures({**empty, "packages_distributed": 1})
    assert has_figures({**empty, "activities": {"scheduled": {"SENAM": 2}}})
    assert has_figures({**empty, "findings_by_year": {"2026": 1}})


def test_a_long_axis_label_is_split_in_two_and_the_chart_makes_room_for_it() -> None:
    assert split_label("Bersih-bersih", 120) == ["Bersih-", "bersih"]
    assert split_label("Mei", 50) == ["Mei"]
    assert split_label("Sholawatanberbagi", 120) == ["Sholawatanberbagi"], "no break, kept whole"
    short = bars(["Jan", "Feb"], [Series("x", [1, 2])], title="t")
    long = bars(
        ["Bersih-bersih", "Jalan-jalan", "a", "b", "c"], [Series("x", [1, 2, 3, 4, 5])], title="t"
    )
    assert 'viewBox="0 0 640 220"' in short
    assert 'viewBox="0 0 640 241"' in long
    assert '<tspan x="' in long
    assert '<tspan x="' not in short


def test_a_hand_out_day_is_kept_inside_the_rounds_month() -> None:
    assert hand_out_day("2024-02", "2024-02-29") == "2024-02-29", "a leap day is in February"
    assert hand_out_day("2024-02", "2024-03-01") == "2024-02-29", "a past month: its last day"
    assert hand_out_day("2099-05", None) == "2099-05-01", "a month ahead: its first day"
    assert hand_out_day("2099-05", "not a date") == "2099-05-01"
