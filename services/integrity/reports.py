"""The arithmetic behind the integrity reports: year series, trend, ages and per-desa joins."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.events.integrity import FindingCategory, FindingSeverity, SubjectType
from shared.events.scheduler import Desa


@dataclass(frozen=True)
class Group:
    """How many counted (not dismissed) findings share a year, category, severity, subject
    type and openness."""

    year: int
    category: str
    severity: str
    subject_type: str
    is_open: bool
    count: int


def years_up_to(counts: Mapping[int, int], year: int) -> dict[str, int]:
    """Every year from the earliest counted one (or `year` itself) to `year`, zeros included."""
    start = min([*counts, year])
    return {str(y): counts.get(y, 0) for y in range(start, year + 1)}


def summary(groups: Iterable[Group], repeat_officials: int = 0) -> dict[str, Any]:
    by_year: Counter[str] = Counter()
    by_category = {c.value: 0 for c in FindingCategory}
    by_severity = {s.value: 0 for s in FindingSeverity}
    by_subject_type = {s.value: 0 for s in SubjectType}
    still_open = 0
    for g in groups:
        by_year[str(g.year)] += g.count
        by_category[g.category] += g.count
        by_severity[g.severity] += g.count
        by_subject_type[g.subject_type] += g.count
        still_open += g.count if g.is_open else 0
    return {
        "by_year": dict(sorted(by_year.items())),
        "by_category": by_category,
        "by_severity": by_severity,
        "by_subject_type": by_subject_type,
        "open": still_open,
        "repeat_officials": repeat_officials,
    }


def trend(counts: Mapping[int, int], year: int) -> dict[str, Any]:
    """Findings per year up to `year`, each with its change from the year before."""
    rows: list[dict[str, Any]] = []
    previous: int | None = None
    for label, n in years_up_to(counts, year).items():
        change = None if previous is None else n - previous
        pct = round(change * 100 / previous, 1) if change is not None and previous else None
        rows.append({"year": int(label), "findings": n, "change": change, "change_pct": pct})
        previous = n
    return {**rows[-1], "years": rows}


def with_age(rows: Sequence[Mapping[str, Any]], today: date, overdue_days: int) -> dict[str, Any]:
    """Open findings with their age in days; overdue once older than `overdue_days`."""
    findings = []
    for row in rows:
        age = (today - row["found_on"]).days
        findings.append(
            {
                **row,
                "found_on": row["found_on"].isoformat(),
                "age_days": age,
                "overdue": age > overdue_days,
            }
        )
    return {
        "as_of": today.isoformat(),
        "overdue_days": overdue_days,
        "count": len(findings),
        "overdue": sum(1 for f in findings if f["overdue"]),
        "findings": findings,
    }


def per_desa(
    desa: Sequence[Desa], visit_hosts: Iterable[str | None], findings: Mapping[str, int]
) -> list[dict[str, Any]]:
    """Visits and findings side by side for every desa (matched by code or by name)."""
    code_of = {d.code: d.code for d in desa} | {d.name.casefold(): d.code for d in desa}
    visits: Counter[str] = Counter(
        code_of.get(host, code_of.get(host.casefold(), host)) for host in visit_hosts if host
    )
    rows = [
        {
            "desa": d.code,
            "name": d.name,
            "visits": visits[d.code],
            "findings": findings.get(d.code, 0),
        }
        for d in desa
    ]
    known = {d.code for d in desa}
    for code in sorted((set(visits) | set(findings)) - known):
        rows.append(
            {"desa": code, "name": None, "visits": visits[code], "findings": findings.get(code, 0)}
        )
    return rows
