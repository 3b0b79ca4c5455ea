"""The kabupaten page's table without servers: rates, sorting, totals, exports, the charts,
and the gateway's join of the services' parts."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from services.gateway.auth import Claims, Role
from services.gateway.kabupaten import check_kabupaten, summary_of
from services.gateway.web.charts import Series, hbars
from services.gateway.web.i18n import Words
from services.gateway.web.kabupaten_table import (
    CHART_ROWS,
    EXPORT,
    Sort,
    as_csv,
    as_xlsx,
    comparisons,
    totals_of,
    with_rates,
)
from shared.errors import Forbidden

pytestmark = pytest.mark.unit


def row(code: str, name: str, **figures: Any) -> dict[str, Any]:
    base = {
        "code": code,
        "name": name,
        "activities_scheduled": 10,
        "activities_held": 5,
        "donations_idr": 0,
        "spent_idr": 0,
        "packages_distributed": 0,
        "packages_value_idr": 0,
        "households_reached": 0,
        "eligible": None,
        "findings": 0,
        "findings_previous_year": 0,
    }
    return with_rates({**base, **figures})


ROWS = [
    row("35.20.01", "Poncol", donations_idr=300_000, findings=2, findings_previous_year=5),
    row("35.20.02", "Parang", donations_idr=900_000, activities_scheduled=0, activities_held=0),
    row("35.20.05", "Kawedanan", donations_idr=600_000, households_reached=3, eligible=12),
]


def test_rates_are_shares_and_none_without_a_whole() -> None:
    poncol, parang, kawedanan = ROWS
    assert poncol["rate"] == 0.5
    assert parang["rate"] is None
    assert kawedanan["coverage"] == 0.25
    assert poncol["coverage"] is None
    assert poncol["trend"] == -3


def test_sorting_by_a_figure_puts_the_unknown_last_either_way() -> None:
    down = Sort.read({"urut": "pelaksanaan"})
    assert down.descending
    assert [r["name"] for r in down.apply(ROWS)][-1] == "Parang"
    up = Sort.read({"urut": "pelaksanaan", "arah": "naik"})
    assert [r["name"] for r in up.apply(ROWS)][-1] == "Parang"
    by_money = Sort.read({"urut": "donasi"}).apply(ROWS)
    assert [r["donations_idr"] for r in by_money] == [900_000, 600_000, 300_000]


def test_names_sort_up_first_and_a_heading_sorted_links_the_other_way() -> None:
    names = Sort.read({"urut": "nama"})
    assert [r["name"] for r in names.apply(ROWS)] == ["Kawedanan", "Parang", "Poncol"]
    assert names.link("nama") == {"urut": "nama", "arah": "turun"}
    assert names.link("donasi") == {"urut": "donasi", "arah": "turun"}
    assert Sort.read({"urut": "nonsense"}) == Sort()


def test_the_total_line_sums_and_rates_the_sums() -> None:
    total = totals_of(ROWS)
    assert total["donations_idr"] == 1_800_000
    assert total["activities_scheduled"] == 20
    assert total["rate"] == 0.5
    assert total["coverage"] == 0.25
    assert total["trend"] == -3


def test_the_csv_has_a_header_in_the_language_and_a_line_per_kecamatan() -> None:
    lines = list(csv.reader(io.StringIO(as_csv(Words("en"), ROWS).decode("utf-8-sig"))))
    assert lines[0][:2] == ["Code", "Name"]
    assert len(lines[0]) == len(EXPORT)
    assert [line[0] for line in lines[1:]] == ["35.20.01", "35.20.02", "35.20.05"]
    assert lines[3][5] == "600000"


def test_the_xlsx_keeps_numbers_as_numbers() -> None:
    sheet = load_workbook(io.BytesIO(as_xlsx(Words("id"), ROWS, "Magetan 2024"))).active
    assert sheet is not None
    assert sheet.title == "Magetan 2024"
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert values[1][5] == 900_000
    assert values[0][4] == 0.5


def test_horizontal_bars_scale_to_the_largest_and_name_every_row() -> None:
    svg = hbars(["Poncol", "Parang"], [Series("Donasi", [10, 5])], title="Donasi")
    widths = [float(w) for w in re.findall(r'<rect class="s1"[^>]* width="([\d.]+)"', svg)]
    assert widths[0] == pytest.approx(2 * widths[1])
    assert "Poncol" in svg
    assert "Parang" in svg


def test_the_comparisons_chart_money_in_millions_with_a_decimal() -> None:
    found = comparisons(Words("id"), ROWS)
    assert set(found) == {"rate", "money", "packages", "findings"}
    assert ">0,9<" in found["money"]


def test_a_chart_of_many_rows_shows_the_first_in_the_tables_order() -> None:
    many = [row(f"{n:04d}", f"Kabupaten K{n:03d}", packages_distributed=n) for n in range(90)]
    chart = comparisons(Words("id"), many)["packages"]
    assert f"K{CHART_ROWS - 1:03d}<" in chart
    assert f"K{CHART_ROWS:03d}<" not in chart


def test_the_joined_answer_sums_the_contract_figures_only() -> None:
    answer = summary_of(2024, ROWS).model_dump(mode="json")
    assert answer["totals"]["donations_idr"] == 1_800_000
    assert set(answer["kecamatan"][0]) == {
        "code",
        "name",
        "activities_scheduled",
        "activities_held",
        "donations_idr",
        "spent_idr",
        "packages_distributed",
        "households_reached",
        "findings",
    }


@pytest.mark.parametrize(
    ("area", "allowed"),
    [
        ({}, True),
        ({"kab": "3520"}, True),
        ({"kab": "3521"}, False),
        ({"kab": "3520", "kec": "352005"}, False),
        ({"kab": "3520", "kec": "352005", "desa": "3520052004"}, False),
    ],
)
def test_only_a_kabupaten_wide_area_opens_the_kabupaten(
    area: dict[str, str], allowed: bool
) -> None:
    claims = Claims(sub="x", role=Role.AUDITOR, exp=2**40, **area)
    if allowed:
        check_kabupaten(claims, "3520")
    else:
        with pytest.raises(Forbidden):
            check_kabupaten(claims, "3520")
