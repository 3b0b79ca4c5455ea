"""Which events of a page of the log feed which projection, decided once per subject prefix."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress

from shared.log.reader import StoredEvent
from shared.readside.projection import Projection, relevant, subject_matches


class Routes:
    """Routing for one read of a stream, shared by every projection it feeds: each distinct
    set of subject filters is matched once per page, and once per subject prefix (filters
    ending in a wildcard do not depend on the aggregate id). Build one per read of the log."""

    def __init__(self) -> None:
        self._hits: dict[tuple[str, ...], dict[str, bool]] = {}
        self._page: tuple[int, int, int, int] = (0, 0, 0, 0)
        self._prefixes: list[str] = []
        self._distinct: dict[str, StoredEvent] = {}
        self._picked: dict[tuple[str, ...], list[StoredEvent]] = {}

    def relevant(
        self, projection: Projection, kab: str, page: Sequence[StoredEvent]
    ) -> list[StoredEvent]:
        filters = tuple(projection.filters(kab))
        if not page or not all(f.endswith((".*", ".>")) for f in filters):
            return relevant(projection, kab, page)
        mark = (id(page), len(page), page[0].seq, page[-1].seq)
        if mark != self._page:
            self._page, self._picked = mark, {}
            self._prefixes = [e.subject.rpartition(".")[0] for e in page]
            self._distinct = dict(zip(self._prefixes, page, strict=True))
        picked = self._picked.get(filters)
        if picked is None:
            picked = self._pick(filters, page)
            self._picked[filters] = picked
        return picked

    def _pick(self, filters: tuple[str, ...], page: Sequence[StoredEvent]) -> list[StoredEvent]:
        seen = self._hits.setdefault(filters, {})
        for prefix, e in self._distinct.items():
            if prefix not in seen:
                seen[prefix] = any(subject_matches(f, e.subject) for f in filters)
        if all(map(seen.__getitem__, self._distinct)):
            return list(page)
        return list(compress(page, map(seen.__getitem__, self._prefixes)))  # in C, per event
