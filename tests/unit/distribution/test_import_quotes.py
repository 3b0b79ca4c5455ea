"""Registry CSV import: no line is ever dropped unreported. Quoting broken inside one line
refuses that line alone; a quote opened and never closed refuses its line and every later
one; a cell is text, and only the whole-number columns are read as numbers."""

from __future__ import annotations

import csv

import pytest

from services.distribution.csvimport import Rejection, candidates, parse_csv
from tests.unit.distribution.support import DESA, TODAY
from tests.unit.distribution.test_import import HEADER, line

pytestmark = pytest.mark.unit


def numbers(n: int) -> tuple[str, str]:
    return f"35200501010800{n:02d}", f"35200541019000{n:02d}"


def accounted(text: str) -> tuple[list[int], dict[int, Rejection]]:
    accepted, rejected = candidates(parse_csv(text), DESA, TODAY)
    return [c.line for c in accepted], {r.line: r for r in rejected}


def test_a_quote_never_closed_refuses_its_line_and_every_line_after_it() -> None:
    text = "\n".join(
        [
            HEADER,
            line(*numbers(1)),
            line(*numbers(2), address='"Dusun Krajan'),
            line(*numbers(3)),
            "",
            line(*numbers(4)),
        ]
    )
    accepted, rejected = accounted(text + "\n")
    assert accepted == [2]
    assert sorted(rejected) == [3, 4, 6]
    assert all(r.field is None for r in rejected.values())
    assert "3" in rejected[3].reason
    assert "3" in rejected[6].reason
    assert all(" / " in r.reason for r in rejected.values())


def test_a_quote_broken_inside_one_line_refuses_that_line_alone() -> None:
    text = "\n".join([HEADER, line(*numbers(1), address='"Dusun" Krajan'), line(*numbers(2))])
    accepted, rejected = accounted(text)
    assert accepted == [3]
    assert list(rejected) == [2]


def test_a_quoted_value_running_too_long_over_lines_refuses_the_rest_of_the_file() -> None:
    limit = csv.field_size_limit()
    filler = [line(*numbers(10 + n)) for n in range(limit // 60 + 50)]
    opened = line(*numbers(1), address='"Dusun Krajan')
    text = "\n".join([HEADER, line(*numbers(2)), opened, *filler])
    accepted, rejected = accounted(text)
    assert accepted == [2]
    assert sorted(rejected) == list(range(3, len(filler) + 4))


def test_a_quoted_value_over_lines_that_closes_is_one_record() -> None:
    text = "\n".join(
        [HEADER, line(*numbers(1), address='"Dusun Krajan\nRT 01"'), line(*numbers(2))]
    )
    accepted, rejected = accounted(text)
    assert (accepted, rejected) == ([2, 4], {})


@pytest.mark.parametrize(
    ("cell", "refused"),
    [("3", False), ("03", False), ("3.0", True), ("true", True), ("tiga", True), ("-1", True)],
)
def test_a_whole_number_column_is_read_from_its_digits_only(cell: str, refused: bool) -> None:
    accepted, rejected = accounted(HEADER + "\n" + line(*numbers(1), desil=cell))
    assert (2 in rejected, accepted == [2]) == (refused, not refused)
    if refused:
        assert rejected[2].field == "desil"


def test_a_control_character_in_a_cell_refuses_the_line_naming_the_column() -> None:
    text = "\n".join([HEADER, line(*numbers(1), name="Siti\x00Aminah"), line(*numbers(2))])
    accepted, rejected = accounted(text)
    assert accepted == [3]
    assert rejected[2].field == "name"
    assert "U+0000" in rejected[2].reason
