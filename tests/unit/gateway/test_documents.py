"""The signable documents, drawn from what the services answer, read back as a reader sees
them (pdftotext) and rendered to PNG (pdftoppm) as artifacts beside each test."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from services.gateway.documents.bast import bast_document, recap_document
from services.gateway.documents.receipt import receipt_document
from services.gateway.documents.settings import DocumentSettings, Letterhead
from services.gateway.documents.spj import draw_spj, signed_on, spj_document
from shared.contracts.donations import CashbookDetail
from tests.unit.gateway.test_report_formats import pdf_text, rendered

pytestmark = pytest.mark.unit

KECAMATAN = {"code": "35.20.05", "name": "Kawedanan", "desa": [], "units": []}


def fetching(answers: dict[str, Any]) -> Any:
    """A `Fetch` answering each `service.rpc` from `answers`, recording the params asked."""
    asked: list[tuple[str, dict[str, Any]]] = []

    async def fetch(service: str, name: str, params: dict[str, Any]) -> Any:
        asked.append((f"{service}.{name}", params))
        return answers[f"{service}.{name}"]

    fetch.asked = asked  # type: ignore[attr-defined]
    return fetch


def receipt(**overrides: Any) -> dict[str, Any]:
    return {
        "donation_id": "0193c0de-0000-7000-8000-000000000001",
        "receipt_no": 17,
        "unit": "Desa Balerejo",
        "amount_idr": 1_500_000,
        "received_on": date(2023, 5, 5).isoformat(),
        "donor": "Siti Aminah",
        "voided": False,
    } | overrides


async def test_the_kuitansi_prints_number_donor_amount_in_words_and_signature(
    tmp_path: Path,
) -> None:
    fetch = fetching({"scheduler.kecamatan_get": KECAMATAN, "donations.receipt": receipt()})
    settings = DocumentSettings(bendahara_name="Sri Wahyuni", bendahara_nip="19800202 200501 2 002")
    made = await receipt_document(fetch, "3520", "352005", "d-1", settings)
    assert ("donations.receipt", {"id": "d-1"}) in fetch.asked
    assert made.filename == "kuitansi-352005-2023-17.pdf"
    assert made.media == "application/pdf"
    pages = rendered(made.content, tmp_path / "artifacts", "kuitansi")
    text = pdf_text(made.content)
    assert "KUITANSI" in text
    assert "Nomor: 17/2023" in text
    assert "Siti Aminah" in text
    assert "Satu juta lima ratus ribu rupiah" in text
    assert "Rp 1.500.000" in text
    assert "Desa Balerejo" in text
    assert "Kawedanan, 5 Mei 2023" in text
    assert "Bendahara" in text
    assert "Sri Wahyuni" in text
    assert "NIP. 19800202 200501 2 002" in text
    assert "Halaman 1 dari 1" in text
    assert len(pages) == 1


async def test_an_anonymous_and_voided_kuitansi_says_so() -> None:
    fetch = fetching(
        {
            "scheduler.kecamatan_get": KECAMATAN,
            "donations.receipt": receipt(donor=None, voided=True),
        }
    )
    made = await receipt_document(fetch, "3520", "352005", "d-1", DocumentSettings())
    text = pdf_text(made.content)
    assert "Hamba Allah" in text
    assert "DIBATALKAN" in text
    assert "(......" in text, "no bendahara configured: a line to sign and name by hand"


def package(n: int = 17, **overrides: Any) -> dict[str, Any]:
    return {
        "package_id": f"p-{n}",
        "household_id": f"h-{n}",
        "round_id": "r-1",
        "distributed_on": "2023-05-05",
        "value_idr": 100_000,
        "bast_no": f"BAST/352005/2023/{n}",
        "received_by": {"name_masked": "S*** A*****", "relation": "WAKIL"},
        "evidence": [{"evidence_id": "e-1", "sha256": "ab" * 32}],
    } | overrides


BALEREJO = {"code": "35.20.05.2004", "name": "Balerejo"}
ROUNDS = {
    "rounds": [
        {
            "round_id": "r-1",
            "desa": BALEREJO["code"],
            "month": "2023-05",
            "quota": 10,
            "packages": 2,
            "closed": True,
        }
    ]
}


async def test_the_bast_names_number_parties_witness_and_value(tmp_path: Path) -> None:
    fetch = fetching(
        {
            "scheduler.kecamatan_get": KECAMATAN | {"desa": [BALEREJO]},
            "distribution.package_get": package(),
            "distribution.rounds": ROUNDS,
        }
    )
    made = await bast_document(fetch, "3520", "352005", "p-17", DocumentSettings())
    assert made.filename == "BAST-352005-2023-17.pdf"
    assert ("distribution.rounds", {"year": 2023}) in fetch.asked
    rendered(made.content, tmp_path / "artifacts", "bast")
    text = " ".join(pdf_text(made.content).split())
    assert "BERITA ACARA SERAH TERIMA PAKET SEMBAKO" in text
    assert "Nomor: BAST/352005/2023/17" in text
    assert "Pada hari ini, Jumat tanggal 5 Mei 2023, bertempat di Desa Balerejo" in text
    assert "S*** A*****, wakil (dengan kuasa)" in text
    assert "Rp 100.000 (seratus ribu rupiah)" in text
    assert "bulan Mei 2023" in text
    assert "Pihak Kedua, yang menerima" in text
    assert "Pihak Pertama, yang menyerahkan" in text
    assert "Kepala Desa Balerejo" in text
    assert "Saksi" in text
    assert "Halaman 1 dari 1" in text
    assert "abababababababab" in text, "the evidence's SHA-256 is on the paper"


async def test_a_rounds_bast_recap_lists_every_hand_out_to_sign(tmp_path: Path) -> None:
    handed = [package(1), package(2, received_by={"name_masked": "B***", "relation": "SENDIRI"})]
    fetch = fetching(
        {
            "scheduler.kecamatan_get": KECAMATAN | {"desa": [BALEREJO]},
            "distribution.rounds": ROUNDS,
            "distribution.packages": {"packages": handed},
        }
    )
    settings = DocumentSettings(camat_name="Drs. Sutrisno")
    made = await recap_document(fetch, "3520", "352005", "r-1", settings)
    assert ("distribution.packages", {"round_id": "r-1"}) in fetch.asked
    assert made.filename == "rekap-bast-352005-2023-05-35.20.05.2004.pdf"
    rendered(made.content, tmp_path / "artifacts", "rekap")
    text = " ".join(pdf_text(made.content).split())
    assert "REKAPITULASI BERITA ACARA SERAH TERIMA PAKET SEMBAKO" in text
    assert "Desa Balerejo - Mei 2023" in text
    assert "Kuota 10 paket; diserahkan 2 paket; putaran ditutup" in text
    assert "BAST/352005/2023/1" in text
    assert "BAST/352005/2023/2" in text
    assert "B***, sendiri" in text
    assert "S*** A*****, wakil" in text
    assert "Rp 200.000" in text
    assert "Mengetahui, Camat Kawedanan" in text
    assert "Drs. Sutrisno" in text
    assert "Halaman 1 dari 1" in text


def cashbook(closed: bool = True) -> dict[str, Any]:
    line = {"receipt_no": None, "unit": None, "supplier": None, "packages": None}
    entries = [
        line
        | {
            "date": "2023-05-05",
            "kind": "DONATION",
            "ref": "d-1",
            "in_idr": 2_000_000,
            "out_idr": 0,
            "balance_idr": 2_500_000,
            "receipt_no": 17,
            "unit": "Desa Balerejo",
        },
        line
        | {
            "date": "2023-05-12",
            "kind": "PROCUREMENT",
            "ref": "p-1",
            "in_idr": 0,
            "out_idr": 1_500_000,
            "balance_idr": 1_000_000,
            "supplier": "Toko Makmur",
            "packages": 15,
        },
        line
        | {
            "date": "2023-05-19",
            "kind": "EXPENSE",
            "ref": "x-1",
            "in_idr": 0,
            "out_idr": 50_000,
            "balance_idr": 950_000,
            "receipt_no": 3,
            "category": "TRANSPORT",
            "description": "Sewa pikap ke Balerejo",
        },
    ]
    return {
        "year": 2023,
        "month": 5,
        "closed": closed,
        "opening_idr": 500_000,
        "entries": entries,
        "closing_idr": 950_000,
    }


async def test_the_monthly_spj_is_the_cash_book_signed_by_bendahara_and_camat(
    tmp_path: Path,
) -> None:
    fetch = fetching(
        {"scheduler.kecamatan_get": KECAMATAN, "donations.cashbook_detail": cashbook()}
    )
    settings = DocumentSettings(bendahara_name="Sri Wahyuni", camat_name="Drs. Sutrisno")
    made = await spj_document(fetch, "3520", "352005", 2023, 5, settings)
    assert ("donations.cashbook_detail", {"year": 2023, "month": 5}) in fetch.asked
    assert made.filename == "spj-352005-2023-05.pdf"
    rendered(made.content, tmp_path / "artifacts", "spj")
    text = " ".join(pdf_text(made.content).split())
    assert "LAPORAN PERTANGGUNGJAWABAN (SPJ) DANA JUMAT SMART" in text
    assert "Bulan Mei 2023" in text
    assert "Buku kas bulan ini sudah ditutup" in text
    for uraian in (
        "Donasi melalui Desa Balerejo",
        "kuitansi 17/2023",
        "Pembelian 15 paket sembako",
        "Transportasi: Sewa pikap ke Balerejo",
        "(bukti",
    ):
        assert uraian in text
    assert "Saldo awal Rp 500.000" in text
    assert "Jumlah Rp 2.000.000 Rp 1.550.000 Rp 950.000" in text
    assert "Kawedanan, 31 Mei 2023" in text
    assert "Mengetahui," in text
    assert "Camat Kawedanan" in text
    assert "Bendahara" in text
    assert "Sri Wahyuni" in text
    assert "Drs. Sutrisno" in text
    assert "Halaman 1 dari 1" in text


def test_an_spj_is_signed_at_the_months_end_or_today_while_it_runs() -> None:
    assert signed_on(2023, 2, date(2024, 1, 1)) == date(2023, 2, 28)
    assert signed_on(2024, 2, date(2024, 2, 10)) == date(2024, 2, 10)


def test_each_kecamatans_officials_and_logo_come_from_the_officials_file(tmp_path: Path) -> None:
    from PIL import Image  # noqa: PLC0415 - fpdf2's own dependency

    logo = tmp_path / "logo.png"
    Image.new("RGB", (60, 60), (46, 125, 50)).save(logo)
    officials = tmp_path / "officials.json"
    officials.write_text(
        '{"35.20.05": {"camat": {"name": "Drs. Sutrisno", "nip": "19700101 199003 1 001"},'
        f' "logo": "{logo}", "address": "Jl. Raya Kawedanan 1"}}}}',
        encoding="utf-8",
    )
    settings = DocumentSettings(officials_file=officials, bendahara_name="Sri Wahyuni")
    head = Letterhead.of(settings, "3520", "352005", "Kawedanan")
    assert head.office.camat.name == "Drs. Sutrisno"
    assert head.office.bendahara.name == "Sri Wahyuni", "the defaults fill what the file leaves"
    assert Letterhead.of(settings, "3520", "352006", "Magetan").office.camat.name == ""
    made = draw_spj(head, CashbookDetail.model_validate(cashbook()), date(2023, 5, 31))
    pages = rendered(made, tmp_path / "artifacts", "spj-logo")
    text = " ".join(pdf_text(made).split())
    assert "Jl. Raya Kawedanan 1" in text
    assert "NIP. 19700101 199003 1 001" in text
    images = subprocess.run(
        ["pdfimages", "-list", "-"], input=made, capture_output=True, check=True
    ).stdout.decode()
    assert len(images.splitlines()) == 3, "the logo is on the page"
    assert len(pages) == 1
