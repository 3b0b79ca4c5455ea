"""Reading a registry export (CSV) into registrations, each line standing alone."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError

from services.distribution.domain import check_registration
from shared.contracts.distribution import IMPORT_ALIASES, RegisterHousehold, Rejected
from shared.errors import DomainError
from shared.strict import explained

MAX_LINES = 20_000
WHOLE = re.compile(r"-?[0-9]{1,18}")
NUMBER_COLUMNS = frozenset(
    name for name, info in RegisterHousehold.model_fields.items() if info.annotation is int
)
"""The columns holding whole numbers (`desil`): the only cells not taken as text."""


SEPARATORS = re.compile(r"[\s.\-]+")


def column(header: str) -> str:
    """A header cell as the contract's column name: itself, or the one its alias stands for."""
    name = SEPARATORS.sub("_", header.strip().lower())
    return IMPORT_ALIASES.get(name, name)


def members_of(cell: str) -> list[dict[str, str]]:
    """`NIK:Nama|NIK:Nama` as members (a part without `:` keeps no name: refused by field)."""
    found = []
    for part in (p.strip() for p in cell.split("|")):
        if part:
            nik, _, name = part.partition(":")
            found.append({"nik": nik.strip(), "name": name.strip()})
    return found


@dataclass(frozen=True)
class Rejection:
    """A line refused, and why; `desa` as the line names it, `unreadable` when it could
    not be read at all (so nobody can tell which desa it is of)."""

    line: int
    field: str | None
    reason: str
    desa: str | None = dataclasses.field(default=None, compare=False, repr=False)
    unreadable: bool = dataclasses.field(default=False, compare=False)

    def answer(self) -> Rejected:
        return Rejected(line=self.line, field=self.field, reason=self.reason)


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, Any] = dataclasses.field(repr=False)


@dataclass(frozen=True)
class Candidate:
    line: int
    cmd: RegisterHousehold


def delimiter_of(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def _cell(name: str, value: str) -> Any:
    """A CSV cell is text: a whole-number column's digits are read as that number."""
    if name in NUMBER_COLUMNS and WHOLE.fullmatch(value):
        return int(value)
    return value


def _row(line: int, header: list[str], record: list[str]) -> Row | Rejection:
    values: dict[str, Any] = {
        k: _cell(k, v.strip()) for k, v in zip(header, record, strict=False) if v.strip()
    }
    if any(v.strip() for v in record[len(header) :]):
        reason = "Kolom lebih banyak dari judul / More columns than the header"
        return Rejection(line, None, reason, desa=values.get("desa"))
    values["aid"] = [a.strip() for a in str(values.get("aid", "")).split("|") if a.strip()]
    if "members" in values:
        values["members"] = members_of(str(values["members"]))
    return Row(line, values)


def _unreadable_from(start: int, lines: list[str], exc: csv.Error) -> list[Row | Rejection]:
    """A quoted value opened on line `start` that never closes properly: nobody can tell
    where the records start again, so that line and every later one is refused."""
    first = (
        f"Baris tidak terbaca ({exc}): tanda kutip yang dibuka di sini tidak ditutup, berkas"
        f" tidak terbaca mulai baris {start} / Unreadable line ({exc}): the quote opened here"
        f" is not closed, the file cannot be read from line {start} on"
    )
    later = (
        f"Tidak terbaca: tanda kutip dari baris {start} tidak ditutup"
        f" / Unreadable: the quote opened on line {start} is not closed"
    )
    return [
        Rejection(n, None, first if n == start else later, unreadable=True)
        for n in range(start, len(lines) + 1)
        if lines[n - 1].strip()
    ]


def parse_csv(text: str) -> list[Row | Rejection]:
    """The file's records with their line numbers (the header is line 1); blank lines skip.
    A quoted value may run over lines (an address); quoting that breaks inside one line
    refuses that line alone, quoting that breaks after running over lines refuses every
    line from where it opened: no line is ever dropped unreported."""
    text = text.removeprefix("\ufeff")
    lines = list(io.StringIO(text, newline=""))
    reader = csv.reader(iter(lines), delimiter=delimiter_of(lines[0] if lines else ""), strict=True)
    header = [column(h) for h in next(reader, [])]
    rows: list[Row | Rejection] = []
    start = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            if reader.line_num > start:
                return rows + _unreadable_from(start, lines, exc)
            reason = f"Baris tidak terbaca / Unreadable line: {exc}"
            rows.append(Rejection(start, None, reason, unreadable=True))
        else:
            if any(v.strip() for v in record):
                rows.append(_row(start, header, record))
        start = reader.line_num + 1


def invalid(line: int, exc: ValidationError) -> Rejection:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"][:1]) or None
    msg_id, msg_en = explained(first)
    return Rejection(
        line, field, f"Isian '{field}' tidak valid: {msg_id} / Field '{field}' is invalid: {msg_en}"
    )


def refused(line: int, exc: DomainError) -> Rejection:
    extra = "".join(f" ({k}: {v})" for k, v in exc.extra.items())
    return Rejection(line, exc.field, f"{exc.message} / {exc.message_en}{extra}")


def numbers(cmd: RegisterHousehold) -> list[tuple[str, str]]:
    """The line's numbers: a member's NIK is a NIK like the head's."""
    return [("no_kk", cmd.no_kk), ("nik", cmd.nik), *(("nik", m.nik) for m in cmd.members)]


def _duplicate(
    line: int, cmd: RegisterHousehold, seen: dict[tuple[str, str], int]
) -> Rejection | None:
    for field, value in numbers(cmd):
        earlier = seen.get((field, value))
        if earlier is not None:
            return Rejection(
                line, field, f"Duplikat baris {earlier} / Duplicate of line {earlier} ({field})"
            )
    return None


def candidates(
    rows: list[Row | Rejection], desa_codes: Collection[str], today: date
) -> tuple[list[Candidate], list[Rejection]]:
    """Lines that may be registered, and those refused with the reason (duplicates of an
    earlier valid line included)."""
    accepted: list[Candidate] = []
    rejected: list[Rejection] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        if isinstance(row, Rejection):
            rejected.append(row)
            continue
        try:
            cmd = check_registration(
                RegisterHousehold.model_validate(row.values), desa_codes, today
            )
        except ValidationError as exc:
            rejected.append(invalid(row.line, exc))
            continue
        except DomainError as exc:
            rejected.append(refused(row.line, exc))
            continue
        duplicate = _duplicate(row.line, cmd, seen)
        if duplicate is not None:
            rejected.append(duplicate)
            continue
        seen |= dict.fromkeys(numbers(cmd), row.line)
        accepted.append(Candidate(row.line, cmd))
    return accepted, rejected


def desa_named(row: Row | Rejection) -> str | None:
    """The desa a line names, as written (None when it names none)."""
    return row.desa if isinstance(row, Rejection) else row.values.get("desa")
