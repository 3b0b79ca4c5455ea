"""Strict input rules shared by the command and the event contracts: text without control
characters, dates written `YYYY-MM-DD`, whole numbers, and a validation error's message in
Bahasa Indonesia beside pydantic's English one.

One-line text (a name, a code, a unit, a supplier) refuses every control character (C0, DEL,
C1: NUL, TAB and line breaks included), lone surrogates and the Unicode line and paragraph
separators. Free text written over several lines (a note, a reason, a description, an
address) may hold TAB, LF and CR, nothing else of those. PostgreSQL refuses NUL in text and
in JSON, and lone surrogates cannot be encoded: such text must never reach an event.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ValidationInfo
from pydantic_core import PydanticCustomError

_ONE_LINE_BAD = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
_FREE_TEXT_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"-?[0-9]{1,18}")
STORED = {"stored": True}
"""The validation context of an event read back from the log: it is taken as it was stored
(the log is the truth), its text is judged only when the event is made."""


def _refuse(found: re.Match[str]) -> PydanticCustomError:
    char = f"U+{ord(found.group()):04X}"
    return PydanticCustomError(
        "control_character",
        "contains the control character {char} at position {position}",
        {"char": char, "position": found.start() + 1},
    )


def one_line(value: str) -> str:
    found = _ONE_LINE_BAD.search(value)
    if found is not None:
        raise _refuse(found)
    return value


def free_text(value: str) -> str:
    found = _FREE_TEXT_BAD.search(value)
    if found is not None:
        raise _refuse(found)
    return value


def _made_here(info: ValidationInfo) -> bool:
    return not (isinstance(info.context, Mapping) and info.context.get("stored"))


def _event_line(value: str, info: ValidationInfo) -> str:
    return one_line(value) if _made_here(info) else value


def _event_text(value: str, info: ValidationInfo) -> str:
    return free_text(value) if _made_here(info) else value


def iso_date(value: Any) -> Any:
    """A date as `YYYY-MM-DD` (or a `date` from Python): no number, no datetime."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("iso_date", "expected a date written YYYY-MM-DD")


def whole_number(value: Any) -> Any:
    """An integer, or its decimal digits as text (a query string, a CSV cell): no bool, no
    2025.0, no '2_025'."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _WHOLE.fullmatch(value):
        return int(value)
    raise PydanticCustomError("whole_number", "expected a whole number")


ONE_LINE = AfterValidator(one_line)
"""Put after a string's length constraints: `Annotated[str, StringConstraints(...), ONE_LINE]`."""
FREE_TEXT = AfterValidator(free_text)
"""Put after a string's length constraints: `Annotated[str, StringConstraints(...), FREE_TEXT]`."""
EventLine = Annotated[str, AfterValidator(_event_line)]
"""One-line text of an event: judged when the event is made, never when it is read back."""
EventText = Annotated[str, AfterValidator(_event_text)]
"""Free text of an event: judged when the event is made, never when it is read back."""
IsoDate = Annotated[date, BeforeValidator(iso_date)]
"""A date written `YYYY-MM-DD`: no number, no other spelling."""

_INDONESIAN = {
    "control_character": "berisi karakter kendali {char} pada posisi {position}",
    "iso_date": "harus tanggal dengan bentuk YYYY-MM-DD",
    "whole_number": "harus bilangan bulat",
    "missing": "wajib diisi",
    "extra_forbidden": "tidak dikenal",
    "int_type": "harus bilangan bulat",
    "int_parsing": "harus bilangan bulat",
    "int_from_float": "harus bilangan bulat",
    "bool_type": "harus true atau false",
    "string_type": "harus berupa teks",
    "string_unicode": "bukan teks Unicode yang sah",
    "string_too_short": "terlalu pendek (paling sedikit {min_length} karakter)",
    "string_too_long": "terlalu panjang (paling banyak {max_length} karakter)",
    "string_pattern_mismatch": "bentuknya tidak sesuai",
    "greater_than": "harus lebih dari {gt}",
    "greater_than_equal": "paling kecil {ge}",
    "less_than": "harus kurang dari {lt}",
    "less_than_equal": "paling besar {le}",
    "enum": "harus salah satu dari {expected}",
    "literal_error": "harus salah satu dari {expected}",
    "date_type": "harus tanggal dengan bentuk YYYY-MM-DD",
    "date_parsing": "harus tanggal dengan bentuk YYYY-MM-DD",
    "date_from_datetime_parsing": "harus tanggal dengan bentuk YYYY-MM-DD",
    "list_type": "harus berupa daftar",
    "too_short": "isinya terlalu sedikit (paling sedikit {min_length})",
    "too_long": "isinya terlalu banyak (paling banyak {max_length})",
    "uuid_parsing": "harus UUID",
    "uuid_type": "harus UUID",
    "model_type": "harus berupa objek",
    "dict_type": "harus berupa objek",
}


def explained(error: Mapping[str, Any]) -> tuple[str, str]:
    """What is wrong with a field, in Bahasa Indonesia and in English (pydantic's message;
    the Indonesian one is pydantic's too for the rare kinds this table does not know)."""
    english = str(error.get("msg", "invalid"))
    template = _INDONESIAN.get(str(error.get("type", "")))
    if template is None:
        return english, english
    try:
        return template.format(**(error.get("ctx") or {})), english
    except (KeyError, IndexError):
        return english, english
