"""Additive read models: rows that only add up, folded per key before they are written."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from shared.db import DbConn, ident, insert_rows, upsert_rows
from shared.log.reader import StoredEvent

Key = tuple[Any, ...]
Combine = Literal["sum", "max"]


@dataclass
class Tally:
    """One table's rows being added up: `keys` name the key columns, `values` each value
    column and how a new value meets the one there (a sum or a maximum). The order of
    events within a kabupaten stream does not change a tally, and neither does folding many
    batches before writing: so a live projector writes each batch's tally, and a rebuild
    folds a whole stream into memory and writes it once, by COPY, into the empty shadow
    (`Folded`, used by `shared.readside.pages`)."""

    table: str
    keys: Sequence[str]
    values: Mapping[str, Combine]
    rows: dict[Key, list[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._sums_only = all(how == "sum" for how in self.values.values())

    def add(self, key: Key, *values: Any) -> None:
        row = self.rows.get(key)
        if row is None:
            self.rows[key] = list(values)
        elif self._sums_only:
            for i, value in enumerate(values):
                row[i] += value
        else:
            for i, (value, how) in enumerate(zip(values, self.values.values(), strict=True)):
                row[i] = row[i] + value if how == "sum" else max(row[i], value)

    def merge(self, other: Tally) -> None:
        for key, values in other.rows.items():
            self.add(key, *values)

    def empty(self) -> Tally:
        return Tally(self.table, self.keys, self.values)

    def on_conflict(self) -> str:
        table = ident(self.table)
        sets = ", ".join(
            f"{c} = {table}.{c} + excluded.{c}"
            if how == "sum"
            else f"{c} = greatest({table}.{c}, excluded.{c})"
            for c, how in ((ident(c), how) for c, how in self.values.items())
        )
        return f"on conflict ({', '.join(ident(k) for k in self.keys)}) do update set {sets}"

    async def write(self, conn: DbConn, *, fresh: bool = False) -> None:
        """Add the rows to the table. `fresh`: the table most likely holds none of these
        keys yet (a shadow being built), so COPY them, which falls back to the upsert."""
        columns = [*self.keys, *self.values]
        rows = [(*key, *values) for key, values in self.rows.items()]
        if fresh:
            await insert_rows(conn, self.table, columns, rows, self.on_conflict())
        else:
            await upsert_rows(conn, self.table, columns, rows, self.on_conflict())


class Additive(Protocol):
    """A projection whose tables are all tallies: `fold` adds a batch of events to them;
    `apply` (see `apply_tallies`) folds one batch and writes it."""

    name: str
    tables: Sequence[str]

    def filters(self, kab: str) -> list[str]: ...

    def tallies(self) -> list[Tally]:
        """Empty tallies, one per table."""
        ...

    def fold(self, tallies: list[Tally], events: Sequence[StoredEvent]) -> None: ...

    async def apply(self, conn: DbConn, events: Sequence[StoredEvent]) -> None: ...


async def apply_tallies(projection: Additive, conn: DbConn, events: Sequence[StoredEvent]) -> None:
    """What an additive projection's `apply` does: fold the batch, write its tallies."""
    tallies = projection.tallies()
    projection.fold(tallies, events)
    await write_all(conn, tallies)


async def write_all(conn: DbConn, tallies: Iterable[Tally], *, fresh: bool = False) -> None:
    for tally in tallies:
        await tally.write(conn, fresh=fresh)


def is_additive(projection: object) -> bool:
    return callable(getattr(projection, "fold", None)) and callable(
        getattr(projection, "tallies", None)
    )


# Rows an additive projection may hold folded in memory during a rebuild before it writes
# them (~250 bytes each): bounds a worker's memory however long a kabupaten's history is.
MAX_FOLDED_ROWS = 50_000


@dataclass
class Folded:
    """An additive projection's tallies of a stream being rebuilt, not written yet, and the
    last position they include: its checkpoint, saved when they are written."""

    tallies: list[Tally]
    last: int = 0

    def add(self, projection: Additive, events: Sequence[StoredEvent], top: int) -> bool:
        """Fold events up to position `top` in; False if one could not be folded (they then
        go the ordinary way, which dead-letters what fails)."""
        if events:
            page = projection.tallies()
            try:
                projection.fold(page, events)
            except Exception:
                return False
            for tally, more in zip(self.tallies, page, strict=True):
                tally.merge(more)
        self.last = top
        return True

    @property
    def full(self) -> bool:
        return sum(len(t.rows) for t in self.tallies) > MAX_FOLDED_ROWS


Folds = dict[str, Folded]
