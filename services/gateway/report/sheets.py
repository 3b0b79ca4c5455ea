"""The report's tables as spreadsheets: CSV files (one per table, or a zip of them) and one
XLSX workbook (openpyxl) that opens right: Indonesian headers, Rupiah formats, widths,
totals, a frozen header row, numbers as numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.gateway.report.tables import Cell, Percent, Table
from services.gateway.web.i18n import Words

_FIXED_TIME = (2000, 1, 1, 0, 0, 0)
SEPARATORS = {";": ",", ",": "."}
"""CSV field separator -> the decimal mark that goes with it: `;` is what a spreadsheet in
an Indonesian locale expects (its decimal mark is the comma), `,` the English convention."""
RUPIAH_FORMAT = '"Rp" #,##0'
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"
HEADER_FILL = PatternFill("solid", fgColor="E8F2EA")
TOTAL_FILL = PatternFill("solid", fgColor="F4F8F5")
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, _FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _csv_cell(value: Cell, decimal: str) -> str | int:
    if isinstance(value, Percent):
        ratio = value.ratio
        return "" if ratio is None else f"{100 * ratio:.1f}".replace(".", decimal)
    return value


def csv_text(table: Table, sep: str = ";") -> str:
    """One table as CSV: stable column keys, raw integers (no thousands separators),
    percentages as plain numbers with the decimal mark of the separator's convention."""
    decimal = SEPARATORS[sep]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(table.keys)
    writer.writerows([_csv_cell(v, decimal) for v in row] for row in table.rows)
    return out.getvalue()


def csv_files(tables: Sequence[Table], sep: str = ";") -> dict[str, bytes]:
    """Every table as `<slug>.csv` (UTF-8 with BOM, so spreadsheets read it as UTF-8)."""
    return {f"{t.slug}.csv": ("\ufeff" + csv_text(t, sep)).encode() for t in tables}


def csv_zip(tables: Sequence[Table], sep: str = ";") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in csv_files(tables, sep).items():
            archive.writestr(_entry(name), content)
    return out.getvalue()


def _number_format(table: Table, index: int, value: Cell) -> str | None:
    if isinstance(value, Percent):
        return PERCENT_FORMAT
    if isinstance(value, int) and index not in table.plain:
        return RUPIAH_FORMAT if index in table.money else COUNT_FORMAT
    return None


def _xlsx_value(value: Cell) -> str | int | float | None:
    return value.ratio if isinstance(value, Percent) else value


def _write_row(sheet: Worksheet, table: Table, row: Sequence[Cell], *, total: bool) -> None:
    sheet.append([_xlsx_value(v) for v in row])
    for index, cell in enumerate(sheet[sheet.max_row]):
        fmt = _number_format(table, index, row[index])
        if fmt is not None:
            cell.number_format = fmt
        if total:
            cell.font = Font(bold=True)
            cell.fill = TOTAL_FILL


def _widths(sheet: Worksheet, table: Table, words: Words) -> None:
    """Each column as wide as its longest header or value as shown, within reason."""
    shown = [list(table.headers), *(table.shown(words, r) for r in table.rows)]
    if table.totals is not None:
        shown.append(table.shown(words, table.totals))
    for index in range(len(table.headers)):
        longest = max(len(str(line[index])) for line in shown)
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(longest + 2, 8), 60)


def sheet_name(table: Table, taken: set[str]) -> str:
    """The table's title as a sheet name: at most 31 characters, none Excel refuses, unique."""
    base = table.title.translate(_SHEET_FORBIDDEN).strip()[:31] or table.slug[:31]
    name, n = base, 2
    while name.casefold() in taken:
        name = f"{base[:28]} {n}"
        n += 1
    taken.add(name.casefold())
    return name


def _sheet(book: Workbook, table: Table, words: Words, taken: set[str]) -> None:
    sheet = book.create_sheet(sheet_name(table, taken))
    sheet.append(list(table.headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in table.rows:
        _write_row(sheet, table, row, total=False)
    if table.totals is not None:
        _write_row(sheet, table, table.totals, total=True)
    sheet.freeze_panes = "A2"
    _widths(sheet, table, words)


def xlsx(tables: Sequence[Table], words: Words) -> bytes:
    """One sheet per table, in the reader's language."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for table in tables:
        _sheet(book, table, words, taken)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
