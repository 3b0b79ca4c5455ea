"""The report's tables, one source for its HTML, PDF, CSV and XLSX forms."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.gateway.report.data import SkkReport
from services.gateway.web.i18n import Words


@dataclass(frozen=True)
class Percent:
    """A share (held of scheduled): a number in a spreadsheet, `83,3%` on paper."""

    part: int
    whole: int

    @property
    def ratio(self) -> float | None:
        return self.part / self.whole if self.whole else None


Cell = str | int | Percent


@dataclass(frozen=True)
class Table:
    """A titled table: stable CSV keys, headers in the reader's language, raw values.
    `money` columns are rupiah; `plain` integer columns (years) print without separators."""

    slug: str
    title: str
    keys: tuple[str, ...]
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]]
    money: frozenset[int] = field(default_factory=frozenset)
    totals: tuple[Cell, ...] | None = None
    plain: frozenset[int] = field(default_factory=frozenset)

    def shown(self, words: Words, row: tuple[Cell, ...]) -> list[str]:
        """A row as printed: rupiah and thousands in the reader's convention."""
        return [self.shown_cell(words, i, v) for i, v in enumerate(row)]

    def shown_cell(self, words: Words, index: int, value: Cell) -> str:
        if isinstance(value, Percent):
            return words.percent(value.part, value.whole)
        if isinstance(value, str):
            return value
        if index in self.plain:
            return str(value)
        return words.rupiah(value) if index in self.money else words.number(value)

    @property
    def text_columns(self) -> int:
        """How many columns on the left hold words (names, codes), not figures."""
        first = self.rows[0] if self.rows else (self.totals or ())
        return next(
            (i for i, v in enumerate(first) if not isinstance(v, str) and i not in self.plain),
            len(first),
        )


def activities(report: SkkReport, words: Words) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (
            words.kind(r.kind),
            r.scheduled,
            r.held,
            Percent(r.held, r.scheduled),
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
            Percent(held, scheduled),
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


def desa_months(report: SkkReport, words: Words) -> Table:
    """Packages as a grid, a desa per row and a month per column: the paper form of
    `paket_per_desa_bulan` (desa without packages left out)."""
    counts: dict[tuple[str, int], int] = {}
    for r in report.hand_outs:
        key = (r["desa"], int(str(r["month"])[5:7]))
        counts[key] = counts.get(key, 0) + int(r["packages"])
    shown = [d for d in report.desa if d.packages]
    rows: list[tuple[Cell, ...]] = [
        (d.name, *(counts.get((d.code, m), 0) for m in range(1, 13)), d.packages) for d in shown
    ]
    by_month = [sum(counts.get((d.code, m), 0) for d in shown) for m in range(1, 13)]
    return Table(
        "paket_desa_x_bulan",
        words("per_desa_month"),
        ("desa", *(f"bulan_{m:02d}" for m in range(1, 13)), "jumlah"),
        (words("desa"), *(words.month(m) for m in range(1, 13)), words("total")),
        rows,
        totals=(words("total"), *by_month, sum(by_month)),
    )


def findings(report: SkkReport, words: Words) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (int(year), count) for year, count in sorted(report.findings_by_year.items())
    ]
    return Table(
        "temuan_per_tahun",
        words("per_year"),
        ("tahun", "temuan"),
        (words("year"), words("findings")),
        rows,
        plain=frozenset({0}),
    )


def findings_groups(report: SkkReport, words: Words) -> Table:
    """The year's findings by category and subject type, by severity: no names."""
    groups = report.findings_groups
    rows: list[tuple[Cell, ...]] = [
        (
            words.code("category", g.category),
            words.code("subject_type", g.subject_type) if g.subject_type else "-",
            g.ringan,
            g.sedang,
            g.berat,
            g.total,
            g.open,
        )
        for g in groups
    ]
    return Table(
        "temuan_per_kategori",
        words("findings_by_category_subject"),
        ("kategori", "jenis_subjek", "ringan", "sedang", "berat", "jumlah", "belum_selesai"),
        (
            words("category"),
            words("subject_type_label"),
            *(words.code("severity", s) for s in ("RINGAN", "SEDANG", "BERAT")),
            words("total"),
            words("open_findings_label"),
        ),
        rows,
        totals=(
            words("total"),
            "",
            sum(g.ringan for g in groups),
            sum(g.sedang for g in groups),
            sum(g.berat for g in groups),
            sum(g.total for g in groups),
            sum(g.open for g in groups),
        ),
    )


def all_tables(report: SkkReport, words: Words) -> list[Table]:
    """Every table of the report, in its order; `paket_desa_x_bulan` is the paper's grid."""
    makers = (activities, donations, packages, desa_months, hand_outs, findings, findings_groups)
    return [f(report, words) for f in makers]


def about(report: SkkReport, words: Words) -> Table:
    """Which kecamatan and period, when it was made, and the digest to check the log against."""
    start, end = report.period
    rows: list[tuple[Cell, ...]] = [
        ("kecamatan", f"{report.name} ({report.kec})"),
        ("kabupaten", f"{report.head.kabupaten} ({report.kab})"),
        ("tahun", str(report.year)),
        ("periode", f"{start.isoformat()} - {end.isoformat()}"),
        ("dibuat", report.generated_at.isoformat(timespec="seconds")),
        ("sidik_jari_log", str(report.digest)),
    ]
    return Table(
        "ringkasan",
        words("report"),
        ("isian", "nilai"),
        (words("item"), words("value_label")),
        rows,
    )
