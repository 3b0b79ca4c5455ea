"""The SKK report's forms from one set of figures: tables, CSV zip, XLSX, PDF, HTML."""

from __future__ import annotations

import csv
import dataclasses
import io
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest

from services.gateway.report import render
from services.gateway.report.data import (
    DesaRow,
    KindRow,
    SkkReport,
    desa_rows,
    kind_rows,
)
from services.gateway.report.tables import about, all_tables
from services.gateway.web.i18n import Words
from shared.audit.logdigest import KeptDigest
from shared.contracts.documents import FindingsGroup

pytestmark = pytest.mark.unit

SHA = "ab" * 32
DIGEST = f"3520:951:{SHA}"  # as `smart verify --digest` takes it


def sample() -> SkkReport:
    months = [
        {
            "month": m,
            "donations_idr": 2_000_000,
            "units_taking_part": 21,
            "packages_procured": 15 if m <= 10 else 0,
            "spent_idr": 1_500_000 if m <= 10 else 0,
            "closing_balance_idr": 500_000 * m,
        }
        for m in range(1, 13)
    ]
    return SkkReport(
        kab="3520",
        kec="352005",
        name="Kawedanan",
        year=2023,
        generated_at=datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
        activities=[KindRow("SENAM", 12, 10, 300, 1000), KindRow("SERASA_DESA", 52, 44, 500, 900)],
        months=months,
        desa=[DesaRow("35.20.05.2004", "Balerejo", 8, 800_000, 8, 9)],
        hand_outs=[
            {
                "desa": "35.20.05.2004",
                "month": "2023-04",
                "packages": 8,
                "value_idr": 800_000,
                "households_reached": 8,
            }
        ],
        totals={"packages": 150, "value_idr": 15_000_000, "households_reached": 150},
        findings_by_year={"2021": 20, "2022": 10, "2023": 7},
        findings={"open": 3},
        digest=KeptDigest("3520", 951, SHA),
        findings_groups=[
            FindingsGroup(
                category="ADMINISTRASI", subject_type="ASN", ringan=3, sedang=1, berat=0, open=2
            ),
            FindingsGroup(
                category="KEHADIRAN",
                subject_type="KEPALA_DESA",
                ringan=2,
                sedang=0,
                berat=1,
                open=1,
            ),
        ],
    )


def test_kind_rows_add_up_attendance_per_kind_and_keep_every_kind() -> None:
    rows = kind_rows(
        {"scheduled": {"SENAM": 12}, "held": {"SENAM": 10}},
        [
            {"kind": "SENAM", "officials": 20, "residents": 50},
            {"kind": "SENAM", "officials": 5, "residents": 7},
        ],
    )
    assert rows[0] == KindRow("SENAM", 12, 10, 25, 57)
    assert [r.kind for r in rows][-1] == "SERASA_DESA"
    assert rows[-1] == KindRow("SERASA_DESA", 0, 0, 0, 0)


def test_desa_rows_sum_the_months_and_keep_the_rotation_order() -> None:
    kecamatan = {"desa": [{"code": "A", "name": "Satu"}, {"code": "B", "name": "Dua"}]}
    distribution = {
        "rows": [
            {"desa": "B", "month": "2023-01", "packages": 7, "value_idr": 700_000},
            {"desa": "B", "month": "2023-02", "packages": 1, "value_idr": 100_000},
        ],
        "coverage": [{"desa": "B", "eligible": 9, "reached": 8}],
    }
    rows = desa_rows(kecamatan, distribution)
    assert rows == [DesaRow("A", "Satu", 0, 0, 0, 0), DesaRow("B", "Dua", 8, 800_000, 8, 9)]


def read_csv(archive: zipfile.ZipFile, name: str, sep: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")), delimiter=sep))


def test_the_csv_zip_has_one_file_per_table_separated_by_semicolons() -> None:
    content, media, name = render(sample(), "csv", Words("id"))
    assert media == "application/zip"
    assert name == "laporan-skk-352005-2023.csv.zip"
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert set(archive.namelist()) == {
        "ringkasan.csv",
        "kegiatan.csv",
        "donasi_per_bulan.csv",
        "paket_per_desa.csv",
        "paket_desa_x_bulan.csv",
        "paket_per_desa_bulan.csv",
        "temuan_per_tahun.csv",
        "temuan_per_kategori.csv",
    }
    packages = read_csv(archive, "paket_per_desa.csv")
    assert packages[0][:4] == ["kode_desa", "desa", "paket", "nilai_rp"]
    assert packages[1] == ["35.20.05.2004", "Balerejo", "8", "800000", "8", "9"]
    monthly = archive.read("paket_per_desa_bulan.csv").decode("utf-8-sig").splitlines()
    assert monthly[1] == "2023-04;35.20.05.2004;Balerejo;8;800000;8"
    activities = read_csv(archive, "kegiatan.csv")
    assert activities[1][3] == "83,3", "a share is a number, with the Indonesian decimal mark"
    grid = read_csv(archive, "paket_desa_x_bulan.csv")
    assert grid[1] == ["Balerejo", "0", "0", "0", "8", *["0"] * 8, "8"]
    about_rows = dict(read_csv(archive, "ringkasan.csv"))
    assert about_rows["sidik_jari_log"] == DIGEST
    assert about_rows["periode"] == "2023-01-01 - 2023-12-31"
    assert "sha256_log" not in about_rows, "one digest, in the one form"


def test_the_csv_takes_commas_on_request() -> None:
    content, _, _ = render(sample(), "csv", Words("en"), sep=",")
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert read_csv(archive, "kegiatan.csv", ",")[1][3] == "83.3"
    assert archive.read("paket_per_desa_bulan.csv").decode("utf-8-sig").splitlines()[1] == (
        "2023-04,35.20.05.2004,Balerejo,8,800000,8"
    )


def test_the_xlsx_opens_right_headers_formats_widths_totals_frozen() -> None:
    content, _, name = render(sample(), "xlsx", Words("id"))
    assert name.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames[0] == "Laporan SKK"
    fund = book["Dana dari bulan ke bulan"]
    assert [c.value for c in fund[1]][:2] == ["Bulan", "Donasi (bersih)"]
    assert fund.freeze_panes == "A2"
    assert fund["B2"].value == 2_000_000
    assert fund["B2"].number_format == '"Rp" #,##0'
    assert fund["C2"].number_format == "#,##0"
    total = fund.max_row
    assert (fund[f"A{total}"].value, fund[f"B{total}"].value) == ("Jumlah", 24_000_000)
    assert fund[f"B{total}"].font.b
    assert fund.column_dimensions["B"].width >= len("Rp 24.000.000")
    activities = book["Kegiatan"]
    assert activities["D2"].value == pytest.approx(10 / 12)
    assert activities["D2"].number_format == "0.0%"
    years = book["Temuan per tahun"]
    assert [years["A2"].value, years["B2"].value] == [2021, 20]
    assert years["A2"].number_format == "General", "a year has no thousands separator"
    groups = book["Temuan per kategori dan jenis s"]
    assert [c.value for c in groups[2]] == ["Administrasi", "ASN", 3, 1, 0, 4, 2]


def test_tables_speak_the_readers_language_and_total_their_columns() -> None:
    tables = all_tables(sample(), Words("en"))
    donations = next(t for t in tables if t.slug == "donasi_per_bulan")
    assert donations.headers[1] == "Donations (net)"
    assert donations.totals is not None
    assert donations.shown(Words("en"), donations.totals)[1] == "Rp 24,000,000"
    activities = tables[0]
    assert activities.totals is not None
    assert activities.totals[1:3] == (64, 54)
    assert about(sample(), Words("id")).rows[-1] == ("sidik_jari_log", DIGEST)


def pdf_text(content: bytes) -> str:
    """The text of a PDF as poppler's pdftotext reads it (what a reader's viewer shows)."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


def rendered(content: bytes, out: Path, name: str) -> list[Path]:
    """The PDF's pages as PNG files (pdftoppm) in `out`: the artifact a person looks at."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.pdf").write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(out / f"{name}.pdf"), str(out / name)], check=True
    )
    return sorted(out.glob(f"{name}-*.png"))


def test_the_pdf_is_a_signable_report_on_the_kecamatans_paper(tmp_path: Path) -> None:
    content, media, _ = render(sample(), "pdf", Words("id"))
    assert media == "application/pdf"
    assert content.startswith(b"%PDF-")
    pages = rendered(content, tmp_path / "artifacts", "skk")
    text = pdf_text(content)
    assert "PEMERINTAH KABUPATEN MAGETAN" in text
    assert "KECAMATAN KAWEDANAN" in text
    assert "Periode: 1 Januari 2023 s.d. 31 Desember 2023 (Tahun Anggaran 2023)" in text
    assert "Rp 15.000.000" in text
    assert "10 terlaksana (83,3%)" in text, "the narrative carries the figures"
    assert "Kawedanan, 2 Januari 2024" in text
    assert "Camat Kawedanan" in text
    assert "NIP. ......" in text, "no NIP configured: a line to fill in by hand"
    assert "Administrasi" in text
    assert "Kepala desa" in text.replace("Kepala Desa", "Kepala desa")
    assert DIGEST in text
    assert f"smart verify --kab 3520 --digest {DIGEST}" in text
    assert len(pages) >= 2
    for n in range(1, len(pages) + 1):
        assert f"Halaman {n} dari {len(pages)}" in text


def test_the_pdf_embeds_its_fonts_and_prints_the_configured_camat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMART_DOCUMENTS_CAMAT_NAME", "Drs. Sutrisno, M.Si.")
    monkeypatch.setenv("SMART_DOCUMENTS_CAMAT_NIP", "19700101 199003 1 001")
    report = dataclasses.replace(sample(), letterhead=None)
    content, _, _ = render(report, "pdf", Words("en"))
    fonts = subprocess.run(
        ["pdffonts", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    lines = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert lines, "the report names its fonts"
    assert all(" yes yes yes " in line and "NotoSans" in line for line in lines), fonts
    text = pdf_text(content)
    assert "Drs. Sutrisno, M.Si." in text
    assert "NIP. 19700101 199003 1 001" in text
    assert "Page 1 of 2" in text
    assert "Period: 1 January 2023 to 31 December 2023" in text


def test_the_html_report_is_one_page_with_its_cards_and_digest() -> None:
    content, media, _ = render(sample(), "html", Words("id"))
    html = content.decode()
    assert media.startswith("text/html")
    assert 'data-figure="packages">150<' in html
    assert f'<code id="log-digest">{DIGEST}</code>' in html
    assert "<link" not in html, "the report stands alone: no outside stylesheet"
    assert "PEMERINTAH KABUPATEN MAGETAN" in html
    assert '<p id="period">Periode: 1 Januari 2023 s.d. 31 Desember 2023' in html
    assert "10 terlaksana (83,3%)" in html
    assert "Kawedanan, 2 Januari 2024<br>Camat Kawedanan" in html
    assert 'id="temuan_per_kategori"' in html
