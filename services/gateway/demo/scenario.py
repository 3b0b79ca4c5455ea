"""The Kawedanan 2023 scenario as request bodies: deterministic, fake personal data only.

One story, as the SKK assessment saw it on 31 October 2023: the rota of 2022 and 2023 is
planned (in 2022 only the Serasa Desa visits ran; Jumat SMART began in January 2023);
every charity Friday (Sholawatan Berbagi) held has its round of 15 packages in its host
desa, in its month, bought from that month's donations; the transport, packaging and
paperwork of each round are expenses of the fund; what is left is kept for the charity
Fridays of November and December. The Serasa Desa findings of 2022 and 2023 name the
held visit they came from (`findings_plan.py`).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.gateway.web.wilayah import KAWEDANAN, KAWEDANAN_DESA

YEAR = 2023
PLANNED_YEARS = (2022, 2023)
AS_OF = date(2023, 10, 31)
"""The day the scenario stands on: nothing after it is reported, given or handed out."""
KAB, KEC = "3520", "352005"
PACKAGE_PRICE_IDR = 100_000
PACKAGES_PER_ROUND = 15
HOUSEHOLDS_PER_DESA = 18
AIDED_PER_DESA = 2
OFFICE_GIFT_IDR = 650_000
ROUND_COSTS = (
    ("TRANSPORT", 100_000, "Sewa pikap pengantaran paket ke balai desa"),
    ("KEMASAN", 60_000, "Kantong dan kardus paket sembako"),
    ("ADMINISTRASI", 30_000, "Meterai dan fotokopi BAST penyerahan"),
)
"""What one round costs besides its packages: category, rupiah, what for."""
LATER_ROUNDS = 2
"""The charity Fridays after `AS_OF` (November, December) the balance is kept for."""
OFFICE = f"Kantor Kecamatan {KAWEDANAN[1]}"
AREA = KEC
FRIDAY_KINDS = ("SENAM", "JALAN_JALAN", "BERSIH_BERSIH", "SHOLAWATAN_BERBAGI")
NOT_YET_RUNNING = "Program Jumat SMART belum berjalan (dimulai Januari 2023)"

_FIRST = ("Sri", "Siti", "Sumarni", "Suparmi", "Tukiyem", "Warsini", "Painem", "Sukinah")
_MALE = ("Slamet", "Sutrisno", "Sukardi", "Paijo", "Wagiman", "Suparno", "Tumiran", "Karno")
_LAST = ("Wahyuni", "Rahayu", "Lestari", "Utomo", "Santoso", "Wibowo", "Hartono", "Purnomo")
_AID_NOT_PRIORITY = (["PKH"], ["BPNT"])
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


def given_months() -> range:
    """The months of 2023 whose donations are in: January to October."""
    return range(1, AS_OF.month + 1)


def donations() -> list[dict[str, Any]]:
    """Every unit gives every month up to `AS_OF`, on or after the month's first Friday."""
    bodies = []
    for month in given_months():
        first = nth_friday(YEAR, month, 1)
        for i, unit in enumerate(UNITS):
            amount = OFFICE_GIFT_IDR if i == 0 else 50_000 + ((month * i + i * 13) % 6) * 10_000
            day = first.replace(day=first.day + i % 3)
            bodies.append({"unit": unit, "amount_idr": amount, "received_on": day.isoformat()})
    return bodies


@dataclass(frozen=True)
class RoundPlan:
    """The round of one held charity Friday: its host desa, the month of its date, the
    hand-out on that day, and the packages bought for it on the Monday of its week."""

    desa: str
    distributed_on: date
    quota: int = PACKAGES_PER_ROUND

    @property
    def month(self) -> int:
        return self.distributed_on.month

    @property
    def desa_index(self) -> int:
        return [code for code, _ in KAWEDANAN_DESA].index(self.desa)

    @property
    def body(self) -> dict[str, Any]:
        return {"desa": self.desa, "month": f"{YEAR}-{self.month:02d}", "quota": self.quota}

    @property
    def purchased_on(self) -> date:
        monday = self.distributed_on.toordinal() - self.distributed_on.weekday()
        return date.fromordinal(max(monday, self.distributed_on.replace(day=1).toordinal()))

    def procurement(self) -> dict[str, Any]:
        return {
            "packages": self.quota,
            "unit_price_idr": PACKAGE_PRICE_IDR,
            "purchased_on": self.purchased_on.isoformat(),
            "supplier": "Toko Sembako Sumber Rejeki" if self.month % 2 else "BUMDes Maju Bersama",
        }

    def expenses(self) -> list[dict[str, Any]]:
        return [
            {
                "amount_idr": amount,
                "spent_on": self.distributed_on.isoformat(),
                "category": category,
                "description": f"{what} ({self.body['month']})",
            }
            for category, amount, what in ROUND_COSTS
        ]


def rounds(activities: list[dict[str, Any]]) -> list[RoundPlan]:
    """One round per charity Friday of `YEAR` held by `AS_OF`, in date order."""
    return [
        RoundPlan(a["host_desa"], date.fromisoformat(a["date"]))
        for a in sorted(activities, key=lambda a: str(a["date"]))
        if a["kind"] == "SHOLAWATAN_BERBAGI"
        and a["date"].startswith(f"{YEAR}-")
        and a["status"] != "skipped"
        and date.fromisoformat(a["date"]) <= AS_OF
    ]


def recipients(plans: list[RoundPlan]) -> list[list[int]]:
    """Per round, which of its desa's priority households (by registration order) receive:
    the desa's next ones in turn, so nobody gets a second package before everyone had one
    (what the round's suggestions put first)."""
    eligible = HOUSEHOLDS_PER_DESA - AIDED_PER_DESA
    served: dict[str, int] = {}
    chosen = []
    for plan in plans:
        start = served.get(plan.desa, 0)
        chosen.append([(start + k) % eligible for k in range(plan.quota)])
        served[plan.desa] = start + plan.quota
    return chosen


def round_cost(plan: RoundPlan) -> int:
    return plan.quota * PACKAGE_PRICE_IDR + sum(amount for _, amount, _ in ROUND_COSTS)


def fake_number(area: str, day: int, month: int, year: int, serial: int) -> str:
    """A well-formed 16-digit NIK / No. KK: area code, DDMMYY, a 4-digit serial. Made up."""
    return f"{area}{day:02d}{month:02d}{year % 100:02d}{serial:04d}"


def household(desa_index: int, n: int) -> dict[str, Any]:
    """The n-th household (0-based) of a desa; the last two get PKH / BPNT (not priority)."""
    code, desa_name = KAWEDANAN_DESA[desa_index]
    seq = desa_index * HOUSEHOLDS_PER_DESA + n
    woman = n % 2 == 0
    born_day = 1 + seq % 28 + (40 if woman else 0)
    aided = n >= HOUSEHOLDS_PER_DESA - AIDED_PER_DESA
    return {
        "no_kk": fake_number(AREA, 1 + desa_index, 1 + n % 12, 2010 + seq % 12, 8000 + seq),
        "nik": fake_number(AREA, born_day, 1 + seq % 12, 1950 + seq % 40, 9000 + seq),
        "name": f"{(_FIRST if woman else _MALE)[seq % 8]} {_LAST[(seq * 3) % 8]}",
        "desa": code,
        "address": f"RT {1 + n % 4:02d} RW {1 + n % 3:02d}, {desa_name}",
        "desil": 1 + (seq * 7) % 4,
        "registry": "DTKS",
        "snapshot_date": "2022-12-01",
        "aid": _AID_NOT_PRIORITY[n % 2] if aided else [],
    }


def hold_or_cancel(index: int, activity: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """What happened to the index-th activity (date order): nothing yet after `AS_OF`; a
    2022 Friday was called off (the programme had not begun); a charity Friday was held
    (its round depends on it); of the rest most were held, a few called off, a few never
    reported (None)."""
    if date.fromisoformat(activity["date"]) > AS_OF:
        return None
    friday = activity["kind"] in FRIDAY_KINDS
    if friday and activity["date"] < f"{YEAR}-":
        return "cancel", {"reason": NOT_YET_RUNNING}
    if activity["kind"] != "SHOLAWATAN_BERBAGI":
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
