"""Searching, sorting and paging a list of masked households for one page of the dashboard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PAGE_SIZE = 25
SORTS = ("desa", "nama", "nik", "desil", "status")

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Search:
    """What the households page was asked: a NIK's last digits, initials, a sort, a page."""

    nik: str = ""
    initials: str = ""
    sort: str = "desa"
    page: int = 1

    @classmethod
    def read(cls, query: Mapping[str, str]) -> Search:
        """From the query string; anything unreadable is left out rather than refused."""
        nik = "".join(c for c in query.get("nik", "") if c.isdigit())[-4:]
        initials = "".join(c for c in query.get("inisial", "") if c.isalpha())[:10].upper()
        sort = query.get("urut", "desa")
        page = query.get("hal", "1")
        return cls(
            nik=nik,
            initials=initials,
            sort=sort if sort in SORTS else "desa",
            page=int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1,
        )

    def query(self, **changes: Any) -> dict[str, str]:
        """The query string of this search with some of it changed (a sort, a page)."""
        values = {"nik": self.nik, "inisial": self.initials, "urut": self.sort, "hal": self.page}
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in ("", None)}


def initials_of(masked_name: str | None) -> str:
    """`S*** A*****` -> `SA`."""
    return "".join(word[0] for word in (masked_name or "").split() if word).upper()


def matches(row: Row, search: Search) -> bool:
    """The NIK ends with the digits asked; the name's initials start with the letters asked.
    A forgotten household has neither, so it matches only a search that asks for nothing."""
    if search.nik and not (row.get("nik_masked") or "").endswith(search.nik):
        return False
    return not search.initials or initials_of(row.get("name_masked")).startswith(search.initials)


def sort_key(sort: str, desa_order: Mapping[str, int]) -> Any:
    last = len(desa_order)

    def by_desa(row: Row) -> tuple[Any, ...]:
        return (desa_order.get(row.get("desa") or "", last), row.get("name_masked") or "~")

    keys = {
        "desa": by_desa,
        "nama": lambda r: (initials_of(r.get("name_masked")) or "~", by_desa(r)),
        "nik": lambda r: ((r.get("nik_masked") or "~")[-4:], by_desa(r)),
        "desil": lambda r: (r.get("desil") or 99, by_desa(r)),
        "status": lambda r: (r.get("forgotten", False), not r.get("eligible"), by_desa(r)),
    }
    return keys[sort]


@dataclass(frozen=True)
class Page:
    """One page of the rows found: the rows, the page number, how many pages and rows."""

    rows: list[Row]
    number: int
    pages: int
    total: int

    @property
    def first(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.number * PAGE_SIZE, self.total)


def find(rows: Sequence[Row], search: Search, desa_order: Sequence[str]) -> Page:
    """The rows matching the search, sorted, cut to the page asked (the last, if past it)."""
    order = {code: i for i, code in enumerate(desa_order)}
    found = sorted((r for r in rows if matches(r, search)), key=sort_key(search.sort, order))
    pages = max(1, -(-len(found) // PAGE_SIZE))
    number = min(search.page, pages)
    start = (number - 1) * PAGE_SIZE
    return Page(found[start : start + PAGE_SIZE], number, pages, len(found))
