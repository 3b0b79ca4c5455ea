"""The Kawedanan 2023 scenario as request bodies: deterministic, fake personal data only."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.gateway.web.wilayah import KAWEDANAN, KAWEDANAN_DESA

YEAR = 2023
KAB, KEC = "3520", "352005"
PACKAGE_PRICE_IDR = 100_000
PACKAGES_PER_MONTH = 15
DISTRIBUTION_MONTHS = range(1, 11)
HOUSEHOLDS_PER_DESA = 10
FINDINGS_PER_YEAR = {2021: 20, 2022: 10, 2023: 7}
OPEN_FINDINGS_2023 = 3
OFFICE = f"Kantor Kecamatan {KAWEDANAN[1]}"
AREA = KEC

_FIRST = ("Sri", "Siti", "Sumarni", "Suparmi", "Tukiyem", "Warsini", "Painem", "Sukinah")
_MALE = ("Slamet", "Sutrisno", "Sukardi", "Paijo", "Wagiman", "Suparno", "Tumiran", "Karno")
_LAST = ("Wahyuni", "Rahayu", "Lestari", "Utomo", "Santoso", "Wibowo", "Hartono", "Purnomo")
_AID_NOT_PRIORITY = (["PKH"], ["BPNT"])
_CATEGORIES = ("KEHADIRAN", "KEHADIRAN", "PELAYANAN", "ADMINISTRASI", "ETIKA", "KEUANGAN")
_SOURCES = ("SERASA_DESA", "INSPEKTORAT", "PENGADUAN", "INTERNAL")
_SEVERITIES = ("RINGAN", "RINGAN", "RINGAN", "SEDANG", "RINGAN", "SEDANG", "BERAT")
_CANCEL_REASONS = ("Hujan deras", "Bertepatan dengan rapat koordinasi kabupaten")


def unit_of(code: str, name: str) -> str:
    """The government unit of a desa (`2xxx`) or kelurahan (`1xxx`)."""
    kelurahan = code.rsplit(".", maxsplit=1)[-1].startswith("1")
    return f"Kelurahan {name}" if kelurahan else f"Pemerintah Desa {name}"


UNITS: tuple[str, ...] = (OFFICE, *(unit_of(c, n) for c, n in KAWEDANAN_DESA))


def kecamatan_body() -> dict[str, Any]:
    return {
        "name": KAWEDANAN[1],
        "desa": [{"code": code, "name": name} for code, name in KAWEDANAN_DESA],
        "units": list(UNITS),
    }


def nth_friday(year: int, month: int, n: int) -> date:
    fridays = [
        day
        for week in calendar.Calendar().monthdatescalendar(year, month)
        for day in week
        if day.month == month and day.weekday() == calendar.FRIDAY
    ]
    return fridays[n - 1]


def donations() -> list[dict[str, Any]]:
    """Every unit gives every month of the year, on or after the month's first Friday."""
    bodies = []
    for month in range(1, 13):
        first = nth_friday(YEAR, month, 1)
        for i, unit in enumerate(UNITS):
            amount = 750_000 if i == 0 else 50_000 + ((month * i + i * 13) % 6) * 10_000
            day = first.replace(day=first.day + i % 3)
            bodies.append({"unit": unit, "amount_idr": amount, "received_on": day.isoformat()})
    return bodies


def procurements() -> list[dict[str, Any]]:
    return [
        {
            "packages": PACKAGES_PER_MONTH,
            "unit_price_idr": PACKAGE_PRICE_IDR,
            "purchased_on": nth_friday(YEAR, month, 3).isoformat(),
            "supplier": "Toko Sembako Sumber Rejeki" if month % 2 else "BUMDes Maju Bersama",
        }
        for month in DISTRIBUTION_MONTHS
    ]


def fake_number(area: str, day: int, month: int, year: int, serial: int) -> str:
    """A well-formed 16-digit NIK / No. KK: area code, DDMMYY, a 4-digit serial. Made up."""
    return f"{area}{day:02d}{month:02d}{year % 100:02d}{serial:04d}"


def household(desa_index: int, n: int) -> dict[str, Any]:
    """The n-th household (0-based) of a desa; the last two get PKH / BPNT (not priority)."""
    code, desa_name = KAWEDANAN_DESA[desa_index]
    seq = desa_index * HOUSEHOLDS_PER_DESA + n
    woman = n % 2 == 0
    born_day = 1 + seq % 28 + (40 if woman else 0)
    aid = _AID_NOT_PRIORITY[n % 2] if n >= HOUSEHOLDS_PER_DESA - 2 else []
    return {
        "no_kk": fake_number(AREA, 1 + desa_index, 1 + n, 2010 + seq % 12, 8000 + seq),
        "nik": fake_number(AREA, born_day, 1 + seq % 12, 1950 + seq % 40, 9000 + seq),
        "name": f"{(_FIRST if woman else _MALE)[seq % 8]} {_LAST[(seq * 3) % 8]}",
        "desa": code,
        "address": f"RT {1 + n % 4:02d} RW {1 + n % 3:02d}, {desa_name}",
        "desil": 1 + (seq * 7) % 4,
        "registry": "DTKS",
        "snapshot_date": "2022-12-01",
        "aid": aid,
    }


@dataclass(frozen=True)
class RoundPlan:
    """One hand-out round: a desa (rotation order), a month, its quota and hand-out day."""

    desa_index: int
    month: int
    quota: int

    @property
    def body(self) -> dict[str, Any]:
        return {
            "desa": KAWEDANAN_DESA[self.desa_index][0],
            "month": f"{YEAR}-{self.month:02d}",
            "quota": self.quota,
        }

    @property
    def distributed_on(self) -> str:
        return nth_friday(YEAR, self.month, 4).isoformat()


def rounds() -> list[RoundPlan]:
    """Two desa a month, January to October, in rotation order: 8 + 7 packages each month."""
    plans = []
    for i, month in enumerate(DISTRIBUTION_MONTHS):
        plans.append(RoundPlan(2 * i, month, 8))
        plans.append(RoundPlan(2 * i + 1, month, PACKAGES_PER_MONTH - 8))
    return plans


def hold_or_cancel(index: int, activity: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """What happened to the year's index-th activity: most held, a few called off, a few
    never reported (None)."""
    if index % 12 == 11:
        return None
    if index % 12 == 5:
        return "cancel", {"reason": _CANCEL_REASONS[index % 2]}
    serasa = activity["kind"] == "SERASA_DESA"
    officials = (8 if serasa else 25) + (index * 7) % 12
    residents = (15 if serasa else 60) + (index * 37) % 90
    return "held", {
        "held_on": activity["date"],
        "attendance": {"officials": officials, "residents": residents},
    }


@dataclass(frozen=True)
class FindingPlan:
    body: dict[str, Any]
    follow_up: dict[str, Any] | None
    resolve: dict[str, Any] | None


def findings() -> list[FindingPlan]:
    """20, 10 and 7 findings by `found_on` year; all but the last three of 2023 resolved."""
    plans: list[FindingPlan] = []
    for year, count in FINDINGS_PER_YEAR.items():
        for n in range(count):
            seq = len(plans)
            month = 1 + (n * 12) // count
            found = date(year, month, 3 + (seq * 5) % 24)
            source = "SERASA_DESA" if year > 2021 and n % 3 else _SOURCES[1 + seq % 3]
            body = {
                "unit": UNITS[(seq * 7) % len(UNITS)],
                "category": _CATEGORIES[seq % len(_CATEGORIES)],
                "severity": _SEVERITIES[seq % len(_SEVERITIES)],
                "found_on": found.isoformat(),
                "source": source,
                "description": f"Temuan pelanggaran norma aparatur nomor {n + 1}/{year}",
            }
            still_open = year == YEAR and n >= count - OPEN_FINDINGS_2023
            followed = not still_open or n == count - 1
            plans.append(
                FindingPlan(
                    body,
                    {"action": "Pembinaan oleh atasan langsung"} if followed else None,
                    None if still_open else {"action": "Sudah diperbaiki dan dipantau"},
                )
            )
    return plans
