"""The scenario's findings (temuan): 20, 10 and 7 in 2021–2023, those of Serasa Desa
visits (from 2022) naming the held visit, each about an ASN of the kecamatan office or a
kepala desa / perangkat desa, some naming the same (made-up) official twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.gateway.demo.scenario import AS_OF, OFFICE, YEAR
from services.gateway.web.wilayah import KAWEDANAN_DESA
from shared.events.integrity import SANCTIONS, FindingSeverity, SubjectType

FINDINGS_PER_YEAR = {2021: 20, 2022: 10, 2023: 7}
OPEN_FINDINGS_2023 = 3
_CATEGORIES = ("KEHADIRAN", "KEHADIRAN", "PELAYANAN", "ADMINISTRASI", "ETIKA", "KEUANGAN")
_SOURCES = ("INSPEKTORAT", "PENGADUAN", "INTERNAL")
_SEVERITIES = ("RINGAN", "RINGAN", "RINGAN", "SEDANG", "RINGAN", "SEDANG", "BERAT")
_VILLAGE = (SubjectType.PERANGKAT_DESA, SubjectType.KEPALA_DESA, SubjectType.PERANGKAT_DESA)
_NAMES = ("Sukardi Utomo", "Wagiman Santoso", "Suparmi Lestari", "Karno Wibowo", "Siti Rahayu")
REPEATS = {7: 2, 23: 9, 33: 16, 36: 1}
"""Findings (by their place in the plan, none from a visit) naming the official of an
earlier one: a repeat within 24 months, but for the last pair (January 2021, September
2023); `REPEAT_OFFICIALS` such officials."""
REPEAT_OFFICIALS = 3


@dataclass(frozen=True)
class Visit:
    """A Serasa Desa visit that was held: what a finding made on it names."""

    visit_id: str
    held_on: date
    host_desa: str


@dataclass(frozen=True)
class FindingPlan:
    body: dict[str, Any]
    follow_up: dict[str, Any] | None
    resolve: dict[str, Any] | None


def fake_nip(seq: int) -> str:
    """A well-formed 18-digit NIP (birth date, appointment month, sex, serial). Made up."""
    born = f"{1970 + seq % 20}{1 + seq % 12:02d}{1 + seq % 28:02d}"
    return f"{born}{2000 + seq % 15}0{1 + seq % 9}1{seq:03d}"


def _months(year: int) -> int:
    return AS_OF.month if year == YEAR else 12


def _linked(year: int, n: int, count: int, visits: list[Visit]) -> Visit | None:
    """From 2022 on, two findings in three came from a Serasa Desa visit of that year."""
    held = sorted((v for v in visits if v.held_on.year == year), key=lambda v: v.held_on)
    if year == 2021 or not n % 3 or not held:
        return None
    return held[(n * len(held)) // count]


def _subject(seq: int, unit: str) -> tuple[SubjectType, str]:
    """Whom a finding concerns and who that is: an ASN (a NIP) at the kecamatan office, a
    village head or official (a name) at a desa."""
    owner = REPEATS.get(seq, seq)
    if unit == OFFICE:
        return SubjectType.ASN, fake_nip(owner)
    return _VILLAGE[owner % 3], f"{_NAMES[owner % len(_NAMES)]} ({owner + 1})"


def _unit(seq: int, visit: Visit | None) -> str:
    """The visited desa, else the units in turn (a repeat: its first finding's): the office
    by its name, a desa by its code (so the finding counts for that desa)."""
    if visit is not None:
        return visit.host_desa
    turn = (REPEATS.get(seq, seq) * 7) % (1 + len(KAWEDANAN_DESA))
    return OFFICE if turn == 0 else KAWEDANAN_DESA[turn - 1][0]


def _body(year: int, n: int, seq: int, visit: Visit | None) -> dict[str, Any]:
    month = 1 + (n * _months(year)) // FINDINGS_PER_YEAR[year]
    found = visit.held_on if visit else date(year, month, 3 + (seq * 5) % 24)
    unit = _unit(seq, visit)
    subject, official = _subject(seq, unit)
    return {
        "unit": unit,
        "category": _CATEGORIES[seq % len(_CATEGORIES)],
        "severity": _SEVERITIES[seq % len(_SEVERITIES)],
        "found_on": found.isoformat(),
        "source": "SERASA_DESA" if visit else _SOURCES[seq % 3],
        "description": f"Temuan pelanggaran norma aparatur nomor {n + 1}/{year}",
        "subject_type": subject.value,
        "official": official,
        **({"visit_id": visit.visit_id} if visit else {}),
    }


def _follow_up(body: dict[str, Any], seq: int) -> dict[str, Any]:
    """The follow-up, with a sanction that fits the finding's subject and severity."""
    fitting = SANCTIONS[(SubjectType(body["subject_type"]), FindingSeverity(body["severity"]))]
    return {"action": "Pembinaan oleh atasan langsung", "sanction": fitting[seq % 2].value}


def findings(visits: list[Visit]) -> list[FindingPlan]:
    """20, 10 and 7 findings by `found_on` year; all but the last three of 2023 resolved."""
    plans: list[FindingPlan] = []
    for year, count in FINDINGS_PER_YEAR.items():
        for n in range(count):
            seq = len(plans)
            body = _body(year, n, seq, _linked(year, n, count, visits))
            still_open = year == YEAR and n >= count - OPEN_FINDINGS_2023
            followed = not still_open or n == count - 1
            plans.append(
                FindingPlan(
                    body,
                    _follow_up(body, seq) if followed else None,
                    None if still_open else {"action": "Sudah diperbaiki dan dipantau"},
                )
            )
    return plans
