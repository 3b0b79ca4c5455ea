"""The SKK report's forms from one set of figures: tables, CSV zip, XLSX, PDF, HTML."""

from __future__ import annotations

import contextlib
import csv
import io
import zipfile
import zlib
from datetime import UTC, datetime
from xml.etree import ElementTree

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


def test_the_csv_zip_has_one_file_per_table_with_raw_integers() -> None:
    content, media, name = render(sample(), "csv", Words("id"))
    assert media == "application/zip"
    assert name == "laporan-skk-352005-2023.csv.zip"
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert set(archive.namelist()) == {
        "ringkasan.csv",
        "kegiatan.csv",
        "donasi_per_bulan.csv",
        "paket_per_desa.csv",
        "paket_per_desa_bulan.csv",
        "temuan_per_tahun.csv",
    }
    packages = list(csv.reader(io.StringIO(archive.read("paket_per_desa.csv").decode("utf-8-sig"))))
    assert packages[0][:4] == ["kode_desa", "desa", "paket", "nilai_rp"]
    assert packages[1] == ["35.20.05.2004", "Balerejo", "8", "800000", "8", "9"]
    monthly = archive.read("paket_per_desa_bulan.csv").decode("utf-8-sig").splitlines()
    assert monthly[1] == "2023-04,35.20.05.2004,Balerejo,8,800000,8"
    about_rows = dict(csv.reader(io.StringIO(archive.read("ringkasan.csv").decode("utf-8-sig"))))
    assert about_rows["sidik_jari_log"] == DIGEST
    assert "sha256_log" not in about_rows, "one digest, in the one form"


def test_the_xlsx_workbook_is_valid_xml_with_numbers_as_numbers() -> None:
    content, _, name = render(sample(), "xlsx", Words("id"))
    assert name.endswith(".xlsx")
    book = zipfile.ZipFile(io.BytesIO(content))
    for part in book.namelist():
        ElementTree.fromstring(book.read(part))  # noqa: S314 - our own workbook
    sheet = book.read("xl/worksheets/sheet6.xml").decode()
    assert "<v>20</v>" in sheet
    assert 'name="temuan_per_tahun" sheetId="6"' in book.read("xl/workbook.xml").decode()


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
    """The text drawn in a PDF made by fpdf2 (content streams are zlib-compressed)."""
    chunks, start = [], 0
    while (start := content.find(b"stream\n", start)) != -1:
        end = content.find(b"endstream", start)
        with contextlib.suppress(zlib.error):
            chunks.append(zlib.decompress(content[start + 7 : end].strip()).decode("latin-1"))
        start = end + len(b"endstream")
    return "".join(chunks)


def test_the_pdf_carries_the_figures_and_the_digest() -> None:
    content, media, _ = render(sample(), "pdf", Words("id"))
    assert media == "application/pdf"
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    assert "Kawedanan" in text
    assert "Rp 15.000.000" in text
    assert DIGEST in text
    assert f"smart verify --kab 3520 --digest {DIGEST}" in text


def test_the_html_report_is_one_page_with_its_cards_and_digest() -> None:
    content, media, _ = render(sample(), "html", Words("id"))
    html = content.decode()
    assert media.startswith("text/html")
    assert 'data-figure="packages">150<' in html
    assert f'<code id="log-digest">{DIGEST}</code>' in html
    assert "<link" not in html, "the report stands alone: no outside stylesheet"
