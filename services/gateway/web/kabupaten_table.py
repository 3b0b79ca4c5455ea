"""The kabupaten page's table: each kecamatan's figures with their rates, sorted as asked,
compared in charts, and exported as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook

from services.gateway.web import charts
from services.gateway.web.i18n import Words

Row = dict[str, Any]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SORTS: dict[str, Callable[[Row], Any]] = {
    "kode": lambda r: r["code"],
    "nama": lambda r: r["name"].casefold(),
    "pelaksanaan": lambda r: r["rate"],
    "donasi": lambda r: r["donations_idr"],
    "paket": lambda r: r["packages_distributed"],
    "nilai": lambda r: r["packages_value_idr"],
    "rt": lambda r: r["households_reached"],
    "cakupan": lambda r: r["coverage"],
    "temuan": lambda r: r["findings"],
    "tren": lambda r: r["trend"],
}
"""Sort keys of the query string (`?urut=`), each reading one column."""
TEXT_SORTS = ("kode", "nama")
COLUMNS = (
    ("nama", "kecamatan"),
    ("pelaksanaan", "rate"),
    ("donasi", "donations_net"),
    ("paket", "packages"),
    ("nilai", "value"),
    ("rt", "households_reached"),
    ("cakupan", "coverage"),
    ("temuan", "findings_count"),
    ("tren", "trend"),
)
"""The table's columns in order: the sort key of each and its heading's text key."""
EXPORT = (
    ("code", "code"),
    ("name", "name"),
    ("scheduled", "activities_scheduled"),
    ("held", "activities_held"),
    ("rate", "rate"),
    ("donations_net", "donations_idr"),
    ("spent", "spent_idr"),
    ("packages", "packages_distributed"),
    ("value", "packages_value_idr"),
    ("households_reached", "households_reached"),
    ("eligible", "eligible"),
    ("coverage", "coverage"),
    ("findings", "findings"),
    ("findings_last_year", "findings_previous_year"),
)
"""The exported columns: the header's text key and the row's field."""


def share(part: int, whole: int | None) -> float | None:
    return round(part / whole, 4) if whole else None


def with_rates(row: Row) -> Row:
    """A kecamatan's row with its execution rate, coverage and findings' change."""
    return {
        **row,
        "rate": share(row["activities_held"], row["activities_scheduled"]),
        "coverage": share(row["households_reached"], row["eligible"]),
        "trend": row["findings"] - row["findings_previous_year"],
    }


@dataclass(frozen=True)
class Sort:
    """What the table is sorted by (`?urut=`) and which way (`?arah=naik|turun`)."""

    key: str = "kode"
    descending: bool = False

    @classmethod
    def read(cls, query: Mapping[str, str]) -> Sort:
        key = query.get("urut", "kode")
        key = key if key in SORTS else "kode"
        way = query.get("arah", "naik" if key in TEXT_SORTS else "turun")
        return cls(key, way == "turun")

    def link(self, key: str) -> dict[str, str]:
        """The query of a column's header: that column, the other way when it is sorted."""
        if key == self.key:
            return {"urut": key, "arah": "naik" if self.descending else "turun"}
        return {"urut": key, "arah": "naik" if key in TEXT_SORTS else "turun"}

    def apply(self, rows: Sequence[Row]) -> list[Row]:
        """Sorted by the column; a row with no rate or coverage goes last either way."""
        value = SORTS[self.key]
        known = [r for r in rows if value(r) is not None]
        unknown = [r for r in rows if value(r) is None]
        return [*sorted(known, key=value, reverse=self.descending), *unknown]


def totals_of(rows: Sequence[Row]) -> Row:
    """The table's last line: every figure summed, the rates of the sums."""
    summed = {
        k: sum(r[k] or 0 for r in rows)
        for k in (
            "activities_scheduled",
            "activities_held",
            "donations_idr",
            "spent_idr",
            "packages_distributed",
            "packages_value_idr",
            "households_reached",
            "findings",
            "findings_previous_year",
        )
    }
    eligible = sum(r["eligible"] or 0 for r in rows)
    return with_rates({**summed, "code": "", "name": "", "eligible": eligible})


def short(name: str) -> str:
    return name.removeprefix("Kecamatan ").removeprefix("Kabupaten ")


CHART_ROWS = 40
"""Bars a chart shows at most (the first in the table's order): a province's kabupaten or a
kabupaten's kecamatan fit; a chart of hundreds of bars is read by nobody."""


def comparisons(words: Words, rows: Sequence[Row]) -> dict[str, str]:
    """The charts comparing the kecamatan (in the table's order, the first `CHART_ROWS`):
    execution rate, money, packages and findings against the year before."""
    rows = rows[:CHART_ROWS]
    labels = [short(r["name"]) for r in rows]
    pct = [round(100 * (r["rate"] or 0)) for r in rows]
    tenths = [round(r["donations_idr"] / 100_000) for r in rows]
    spent = [round(r["spent_idr"] / 100_000) for r in rows]
    comma = "," if words.lang == "id" else "."

    def million(v: int) -> str:
        return f"{v / 10:.1f}".replace(".", comma)

    return {
        "rate": charts.hbars(
            labels, [charts.Series(words("rate") + " (%)", pct)], title=words("rate")
        ),
        "money": charts.hbars(
            labels,
            [
                charts.Series(words("donations_net"), tenths, "s1"),
                charts.Series(words("spent"), spent, "s2"),
            ],
            title=f"{words('donations_net')} ({words('million_rp')})",
            fmt=million,
        ),
        "packages": charts.hbars(
            labels,
            [charts.Series(words("packages"), [r["packages_distributed"] for r in rows])],
            title=words("packages"),
        ),
        "findings": charts.hbars(
            labels,
            [
                charts.Series(
                    words("findings_last_year"), [r["findings_previous_year"] for r in rows], "s2"
                ),
                charts.Series(words("findings_count"), [r["findings"] for r in rows], "s3"),
            ],
            title=words("findings_count"),
        ),
    }


def cells(row: Row) -> list[Any]:
    return [row[field] for _, field in EXPORT]


def as_csv(words: Words, rows: Sequence[Row]) -> bytes:
    """UTF-8 with a BOM (spreadsheets then read the names right), comma-separated."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([words(key) for key, _ in EXPORT])
    writer.writerows(cells(r) for r in rows)
    return ("\ufeff" + out.getvalue()).encode()


def as_xlsx(words: Words, rows: Sequence[Row], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append([words(key) for key, _ in EXPORT])
    for row in rows:
        sheet.append(cells(row))
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
