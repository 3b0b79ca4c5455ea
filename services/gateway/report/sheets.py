"""The report's tables as spreadsheets: a zip of CSV files, or one XLSX workbook."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

from services.gateway.report.tables import Cell, Table

_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, _FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _rows(table: Table) -> list[Sequence[Cell]]:
    return [table.keys, *table.rows]


def csv_text(table: Table) -> str:
    """One table as CSV: stable column keys, raw integers (no thousands separators)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(_rows(table))
    return out.getvalue()


def csv_zip(tables: Sequence[Table]) -> bytes:
    """Every table as `<slug>.csv` (UTF-8 with BOM, so spreadsheets read it as UTF-8)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for table in tables:
            archive.writestr(_entry(f"{table.slug}.csv"), "\ufeff" + csv_text(table))
    return out.getvalue()


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value: Cell) -> str:
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def sheet_xml(table: Table) -> str:
    rows = "".join(
        f'<row r="{r + 1}">'
        + "".join(_cell(f"{_column(c)}{r + 1}", v) for c, v in enumerate(row))
        + "</row>"
        for r, row in enumerate(_rows(table))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_BOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def _package_parts(tables: Sequence[Table]) -> dict[str, str]:
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    numbers = range(1, len(tables) + 1)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_SHEET_TYPE}"/>'
        for n in numbers
    )
    sheets = "".join(
        f'<sheet name="{escape(t.slug[:31])}" sheetId="{n}" r:id="rId{n}"/>'
        for n, t in zip(numbers, tables, strict=True)
    )
    links = "".join(
        f'<Relationship Id="rId{n}" Target="worksheets/sheet{n}.xml" Type="{_REL}/worksheet"/>'
        for n in numbers
    )
    return {
        "[Content_Types].xml": f"{head}<Types xmlns="
        '"http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType='
        '"application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_BOOK_TYPE}"/>{overrides}</Types>',
        "_rels/.rels": f'{head}<Relationships xmlns="{_PKG}"><Relationship Id="rId1"'
        f' Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'{head}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"<sheets>{sheets}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'{head}<Relationships xmlns="{_PKG}">{links}'
        "</Relationships>",
    }


def xlsx(tables: Sequence[Table]) -> bytes:
    """A minimal Office Open XML workbook: one sheet per table, numbers kept as numbers."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in _package_parts(tables).items():
            archive.writestr(_entry(name), text)
        for n, table in enumerate(tables, start=1):
            archive.writestr(_entry(f"xl/worksheets/sheet{n}.xml"), sheet_xml(table))
    return out.getvalue()
