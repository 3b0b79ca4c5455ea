"""The SKK report's figures, asked of the services over NATS, and the log's audit digest."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from nats.aio.client import Client as NATS

from services.gateway.documents.settings import DocumentSettings, Letterhead
from shared.audit.logdigest import KeptDigest, digest_log
from shared.clock import JAKARTA, utc_now
from shared.contracts.documents import FindingsGroup, FindingsRegister
from shared.edge.rpc import RpcReply
from shared.errors import DomainError

Fetch = Callable[[str, str, dict[str, Any]], Awaitable[Any]]
SUMMARY_SERVICES = ("scheduler", "donations", "distribution", "integrity")
KINDS = ("SENAM", "JALAN_JALAN", "BERSIH_BERSIH", "SHOLAWATAN_BERBAGI", "SERASA_DESA")


def reply_data(reply: RpcReply) -> Any:
    """The reply's data, or its refusal raised as the same error."""
    if reply.error is not None or not reply.ok:
        error = reply.error or {}
        raise DomainError(
            str(error.get("code", "ERROR")),
            str(error.get("message", "Kesalahan layanan")),
            str(error.get("message_en", "Service error")),
            status=reply.status,
        )
    return reply.data


async def summary(fetch: Fetch, year: int) -> dict[str, Any]:
    """`GET /summary`: every service's figures of the year, merged."""
    parts = await asyncio.gather(*(fetch(s, "summary", {"year": year}) for s in SUMMARY_SERVICES))
    merged: dict[str, Any] = {"year": year}
    for part in parts:
        merged.update(part or {})
    return merged


@dataclass(frozen=True)
class KindRow:
    kind: str
    scheduled: int
    held: int
    officials: int
    residents: int


@dataclass(frozen=True)
class DesaRow:
    code: str
    name: str
    packages: int
    value_idr: int
    households_reached: int
    eligible: int


@dataclass(frozen=True)
class SkkReport:
    """Everything the report shows for one kecamatan and year."""

    kab: str
    kec: str
    name: str
    year: int
    generated_at: datetime
    activities: list[KindRow]
    months: list[dict[str, Any]]
    desa: list[DesaRow]
    hand_outs: list[dict[str, Any]]
    totals: dict[str, int]
    findings_by_year: dict[str, int]
    findings: dict[str, Any]
    digest: KeptDigest
    """The whole kabupaten log's digest when the report was made, in the form
    `smart verify --digest` takes: a copy kept on paper can be checked later."""
    findings_groups: list[FindingsGroup] = field(default_factory=list)
    """The year's findings by category, subject type and severity (no names)."""
    letterhead: Letterhead | None = None
    """The kop surat and the camat who signs (settings, see documents/settings.py)."""

    @property
    def head(self) -> Letterhead:
        return self.letterhead or Letterhead.of(DocumentSettings(), self.kab, self.kec, self.name)

    @property
    def period(self) -> tuple[date, date]:
        """The fiscal period: the calendar year (tahun anggaran), 1 January to 31 December."""
        return date(self.year, 1, 1), date(self.year, 12, 31)

    @property
    def check_command(self) -> str:
        """How anyone holding the printed digest checks the log against it."""
        return f"smart verify --kab {self.kab} --digest {self.digest}"

    @property
    def donations_idr(self) -> int:
        return sum(int(m["donations_idr"]) for m in self.months)

    @property
    def spent_idr(self) -> int:
        return sum(int(m["spent_idr"]) for m in self.months)


def kind_rows(activities: dict[str, Any], attendance: list[dict[str, Any]]) -> list[KindRow]:
    people: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in attendance:
        people[row["kind"]][0] += int(row["officials"])
        people[row["kind"]][1] += int(row["residents"])
    return [
        KindRow(
            kind,
            int(activities["scheduled"].get(kind, 0)),
            int(activities["held"].get(kind, 0)),
            people[kind][0],
            people[kind][1],
        )
        for kind in KINDS
    ]


def desa_rows(kecamatan: dict[str, Any], distribution: dict[str, Any]) -> list[DesaRow]:
    """Per desa in rotation order: packages and value of the year, reach and eligibility."""
    packages: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in distribution["rows"]:
        packages[row["desa"]][0] += int(row["packages"])
        packages[row["desa"]][1] += int(row["value_idr"])
    coverage = {c["desa"]: c for c in distribution["coverage"]}
    names = {d["code"]: d["name"] for d in kecamatan["desa"]}
    codes = [*names, *sorted((set(packages) | set(coverage)) - set(names))]
    return [
        DesaRow(
            code,
            names.get(code, code),
            packages[code][0],
            packages[code][1],
            int(coverage.get(code, {}).get("reached", 0)),
            int(coverage.get(code, {}).get("eligible", 0)),
        )
        for code in codes
    ]


async def gather(fetch: Fetch, nc: NATS, kab: str, kec: str, year: int) -> SkkReport:
    """Ask every service at once, then read the log for its digest."""
    by_year = {"year": year}
    (
        kecamatan,
        activities,
        attendance,
        recap,
        distribution,
        trend,
        findings,
        register,
    ) = await asyncio.gather(
        fetch("scheduler", "kecamatan_get", {}),
        fetch("scheduler", "summary", by_year),
        fetch("scheduler", "attendance", by_year),
        fetch("donations", "recap", by_year),
        fetch("distribution", "distribution", by_year),
        fetch("integrity", "summary", by_year),
        fetch("integrity", "findings_summary", {}),
        fetch("integrity", "findings_register", by_year),
    )
    return SkkReport(
        kab=kab,
        kec=kec,
        name=kecamatan["name"],
        year=year,
        generated_at=utc_now().astimezone(JAKARTA),
        activities=kind_rows(activities["activities"], attendance["rows"]),
        months=recap["rows"],
        desa=desa_rows(kecamatan, distribution),
        hand_outs=distribution["rows"],
        totals={k: int(v) for k, v in distribution["totals"].items()},
        findings_by_year={str(k): int(v) for k, v in trend["findings_by_year"].items()},
        findings=findings,
        digest=await digest_log(nc, kab),
        findings_groups=FindingsRegister.model_validate(register).groups,
        letterhead=Letterhead.of(DocumentSettings(), kab, kec, kecamatan["name"]),
    )
