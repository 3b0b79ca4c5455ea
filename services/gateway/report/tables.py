"""The report's tables, one source for its HTML, PDF, CSV and XLSX forms."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.gateway.report.data import SkkReport
from services.gateway.web.i18n import Words

Cell = str | int


@dataclass(frozen=True)
class Table:
    """A titled table: stable CSV keys, headers in the reader's language, raw values."""

    slug: str
    title: str
    keys: tuple[str, ...]
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    money: frozenset[int] = field(default_factory=frozenset)
    totals: tuple[Cell, ...] | None = None

    def shown(self, words: Words, row: tuple[Cell, ...]) -> list[str]:
        """A row as printed: rupiah and thousands in the reader's convention."""
        return [
            words.rupiah(v) if i in self.money and isinstance(v, int) else _plain(words, v)
            for i, v in enumerate(row)
        ]


def _plain(words: Words, value: Cell) -> str:
    return words.number(value) if isinstance(value, int) else value


def activities(report: SkkReport, words: Words) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (
            words.kind(r.kind),
            r.scheduled,
            r.held,
            words.percent(r.held, r.scheduled),
            r.officials,
            r.residents,
        )
        for r in report.activities
    ]
    scheduled = sum(r.scheduled for r in report.activities)
    held = sum(r.held for r in report.activities)
    return Table(
        "kegiatan",
        words("activities"),
        ("jenis", "terjadwal", "terlaksana", "keterlaksanaan", "aparatur_hadir", "warga_hadir"),
        tuple(words(k) for k in ("kind", "scheduled", "held", "rate", "officials", "residents")),
        rows,
        totals=(
            words("total"),
            scheduled,
            held,
            words.percent(held, scheduled),
            sum(r.officials for r in report.activities),
            sum(r.residents for r in report.activities),
        ),
    )


def donations(report: SkkReport, words: Words) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (
            words.month(int(m["month"])),
            int(m["donations_idr"]),
            int(m["units_taking_part"]),
            int(m["packages_procured"]),
            int(m["spent_idr"]),
            int(m["closing_balance_idr"]),
        )
        for m in report.months
    ]
    return Table(
        "donasi_per_bulan",
        words("fund_over_time"),
        ("bulan", "donasi_rp", "unit_berdonasi", "paket_dibeli", "belanja_rp", "saldo_akhir_rp"),
        tuple(
            words(k)
            for k in (
                "month",
                "donations_net",
                "units_taking_part",
                "packages_procured",
                "spent",
                "closing_balance",
            )
        ),
        rows,
        money=frozenset({1, 4, 5}),
        totals=(
            words("total"),
            report.donations_idr,
            "",
            sum(int(m["packages_procured"]) for m in report.months),
            report.spent_idr,
            "",
        ),
    )


def packages(report: SkkReport, words: Words) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (d.code, d.name, d.packages, d.value_idr, d.households_reached, d.eligible)
        for d in report.desa
    ]
    return Table(
        "paket_per_desa",
        words("packages"),
        ("kode_desa", "desa", "paket", "nilai_rp", "rumah_tangga_terjangkau", "rumah_tangga_layak"),
        (
            words("code"),
            *(words(k) for k in ("desa", "packages", "value", "households_reached", "eligible")),
        ),
        rows,
        money=frozenset({3}),
        totals=(
            "",
            words("total"),
            report.totals.get("packages", 0),
            report.totals.get("value_idr", 0),
            report.totals.get("households_reached", 0),
            sum(d.eligible for d in report.desa),
        ),
    )


def hand_outs(report: SkkReport, words: Words) -> Table:
    """Every desa and month with packages: what a Dinas Sosial reconciles against."""
    names = {d.code: d.name for d in report.desa}
    rows: list[tuple[Cell, ...]] = [
        (
            r["month"],
            r["desa"],
            names.get(r["desa"], r["desa"]),
            int(r["packages"]),
            int(r["value_idr"]),
            int(r["households_reached"]),
        )
        for r in report.hand_outs
    ]
    return Table(
        "paket_per_desa_bulan",
        words("per_desa_month"),
        ("bulan", "kode_desa", "desa", "paket", "nilai_rp", "rumah_tangga_terjangkau"),
        (
            words("month"),
            words("code"),
            *(words(k) for k in ("desa", "packages", "value", "households_reached")),
        ),
        rows,
        money=frozenset({4}),
    )


def findings(report: SkkReport, words: Words) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (year, count) for year, count in sorted(report.findings_by_year.items())
    ]
    return Table(
        "temuan_per_tahun",
        words("per_year"),
        ("tahun", "temuan"),
        (words("year"), words("findings")),
        rows,
    )


def all_tables(report: SkkReport, words: Words) -> list[Table]:
    return [f(report, words) for f in (activities, donations, packages, hand_outs, findings)]


def about(report: SkkReport, words: Words) -> Table:
    """Which kecamatan and year, when it was made, and the digest to check the log against."""
    rows: list[tuple[Cell, ...]] = [
        ("kecamatan", f"{report.name} ({report.kec})"),
        ("tahun", str(report.year)),
        ("dibuat", report.generated_at.isoformat(timespec="seconds")),
        ("sidik_jari_log", str(report.digest)),
    ]
    return Table("ringkasan", words("report"), ("isian", "nilai"), ("", ""), rows)
