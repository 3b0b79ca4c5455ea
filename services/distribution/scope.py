"""What a caller may touch: a village operator only its own desa's households and rounds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.distribution.csvimport import Rejection, Row, desa_named
from shared.edge.kit import Ctx
from shared.edge.rpc import OPERATOR
from shared.errors import InvalidInput, NotFound


def unknown(ctx: Ctx[Any], what: str, ident: str) -> NotFound:
    """An unknown id is 404, but an operator may not learn what exists outside its desa:
    403 for it (raised here)."""
    ctx.require_desa(None)
    return NotFound(what, ident)


def path_id(ctx: Ctx[Any], what: str) -> str:
    """The `{id}` of the path; one that is no id is unknown."""
    try:
        return ctx.path_uuid(what)
    except NotFound:
        ctx.require_desa(None)
        raise


def require_rows_desa(ctx: Ctx[Any], rows: Sequence[Row | Rejection]) -> None:
    """An operator imports only its own desa's households: every line names that desa, and
    a line that cannot be read at all makes the file unreadable."""
    if ctx.scope is None or ctx.scope.role != OPERATOR:
        return
    for row in rows:
        if isinstance(row, Rejection) and row.unreadable:
            raise InvalidInput(
                "file", "Berkas CSV tidak dapat dibaca", "The CSV file cannot be read"
            )
        ctx.require_desa(desa_named(row))
