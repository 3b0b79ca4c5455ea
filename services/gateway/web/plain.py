"""Refusals in plain words: a field's label instead of its name, its rule instead of a pattern.

The services answer a bad field as `Isian 'nik' tidak valid: bentuknya tidak sesuai` and, in
English, pydantic's own words (`String should match pattern '^[0-9]{16}$'`); an import's
line carries both halves in one `reason`, joined by ` / `. A page says instead
`NIK harus 16 angka, tanpa spasi atau titik` (or its English), in the viewer's language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from services.gateway.web.forms import field_errors
from services.gateway.web.i18n import Words
from shared.edge.rpc import RpcReply

_INVALID = re.compile(r"^(?:Isian|Field) '(?P<field>[^']*)' (?:tidak valid|is invalid)(?::\s*)?")
_MISSING = ("wajib diisi", "Field required")
_SEPARATOR = " / "


def half(reason: str, words: Words) -> str:
    """The viewer's language of a reason written `Bahasa Indonesia / English`."""
    if _SEPARATOR not in reason:
        return reason
    indonesian, english = reason.split(_SEPARATOR, 1)
    return indonesian if words.lang == "id" else english


def about_field(field: str | None, detail: str, words: Words) -> str:
    """`<label> <what it must hold>`: the rule in words when the page knows one, else the
    service's detail (never a pattern)."""
    label = words.field(field)
    if any(detail.startswith(m) for m in _MISSING):
        return f"{label} {words('is_required')}"
    hint = words.hint(field)
    if hint is not None:
        return f"{label} {hint}"
    if not detail or "pattern" in detail:
        return f"{label} {words('is_not_valid')}"
    return f"{label}: {detail}"


def line_reason(field: str | None, reason: str, words: Words) -> str:
    """An import line's reason in the viewer's language and in plain words."""
    text = half(reason, words)
    invalid = _INVALID.match(text)
    if invalid is None:
        return text
    return about_field(field or invalid["field"] or None, text[invalid.end() :], words)


def plain_rejections(rejected: list[Mapping[str, Any]], words: Words) -> list[dict[str, Any]]:
    """An import's refused lines as a page shows them: line, field label, plain reason."""
    return [
        {
            "line": r.get("line"),
            "field": words.field(r["field"]) if r.get("field") else "",
            "reason": line_reason(r.get("field"), str(r.get("reason", "")), words),
        }
        for r in rejected
    ]


def form_errors(reply: RpcReply, words: Words, fields: Mapping[str, str]) -> dict[str, str]:
    """A refused form's errors next to its fields (forms.field_errors), a bad field's
    message said as the field's rule."""
    errors = field_errors(reply, words, fields)
    error = reply.error or {}
    named = str(error.get("field") or "")
    message = str(error.get("message" if words.lang == "id" else "message_en", ""))
    invalid = _INVALID.match(message)
    if invalid is None or error.get("code") != "INVALID":
        return errors
    detail = about_field(named, message[invalid.end() :], words)
    return dict.fromkeys(errors, detail)
