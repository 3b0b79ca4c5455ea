"""The berita acara serah terima (BAST) of a hand-out, and a round's recap of them.

The recipient is printed as every answer shows them (masked, with their relation to the
household): the paper is signed, and the name written out, by hand. Names in clear appear
only in the recipients export for Dinas Sosial, which is recorded in the log."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from services.gateway.documents import PDF, Document
from services.gateway.documents.paper import Paper, Signer, long_date, month_name
from services.gateway.documents.settings import DocumentSettings, Letterhead, Official
from services.gateway.documents.terbilang import terbilang
from services.gateway.report.data import Fetch
from services.gateway.web.i18n import Words
from shared.clock import jakarta_today, utc_now
from shared.contracts.distribution import PackageView, RoundRow
from shared.errors import NotFound

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
RELATIONS = {
    "SENDIRI": "kepala keluarga (penerima sendiri)",
    "KELUARGA": "anggota keluarga",
    "WAKIL": "wakil (dengan kuasa)",
}
SHORT = {"SENDIRI": "sendiri", "KELUARGA": "keluarga", "WAKIL": "wakil"}
RUPIAH = Words("id").rupiah


def recipient(package: PackageView, relations: dict[str, str] = RELATIONS) -> str:
    name = package.received_by.name_masked or "...................................."
    relation = relations.get(package.received_by.relation or "SENDIRI", "")
    return f"{name}, {relation}"


def _round_of(rounds: dict[str, Any], round_id: str) -> RoundRow:
    for row in rounds["rounds"]:
        if row["round_id"] == round_id:
            return RoundRow.model_validate(row)
    raise NotFound("Putaran", round_id, "Round")


def _desa_name(kecamatan: dict[str, Any], code: str) -> str:
    return next((d["name"] for d in kecamatan["desa"] if d["code"] == code), code)


def _witness(desa: str) -> Signer:
    return Signer(f"Saksi, Kepala Desa {desa}", Official(), "Mengetahui,", nip=False)


def draw_bast(head: Letterhead, package: PackageView, round_: RoundRow, desa: str) -> bytes:
    paper = Paper(head, utc_now())
    number = package.bast_no or "-"
    paper.set_title(f"BAST {number}")
    paper.add_page()
    paper.kop_surat()
    paper.title_block("Berita Acara Serah Terima Paket Sembako", f"Nomor: {number}")
    day = package.distributed_on
    paper.paragraph(
        f"Pada hari ini, {DAYS[day.weekday()]} tanggal {long_date(day)}, bertempat di Desa"
        f" {desa}, Kecamatan {head.kecamatan}, yang bertanda tangan di bawah ini:"
    )
    officer = head.office.officer
    paper.fields(
        [
            ("I. Nama", officer.name or "...................................."),
            ("    Jabatan", f"Petugas penyaluran Kecamatan {head.kecamatan} (Pihak Pertama)"),
            ("II. Nama", recipient(package)),
            ("    Alamat", f"Desa {desa}, Kecamatan {head.kecamatan} (Pihak Kedua)"),
        ]
    )
    paper.ln(2)
    paper.paragraph(
        "Pihak Pertama menyerahkan kepada Pihak Kedua 1 (satu) paket sembako program Jumat"
        f" SMART senilai {RUPIAH(package.value_idr)} ({terbilang(package.value_idr)} rupiah),"
        f" putaran Desa {desa} bulan {_month(round_.month)}, dan Pihak Kedua telah menerimanya"
        " dalam keadaan baik dan lengkap. Demikian berita acara ini dibuat untuk dipergunakan"
        " sebagaimana mestinya."
    )
    if package.evidence:
        files = ", ".join(f"{e.sha256[:16]}…" for e in package.evidence)
        paper.paragraph(f"Bukti terlampir (SHA-256): {files}", 8)
    paper.signatures(
        [
            Signer("Pihak Kedua, yang menerima", Official(), "", nip=False),
            Signer("Pihak Pertama, yang menyerahkan", officer, paper.place_and_date(day)),
        ]
    )
    paper.signatures([_witness(desa)])
    return paper.finish()


def _month(month: str) -> str:
    return month_name(int(month[:4]), int(month[5:7]))


async def bast_document(
    fetch: Fetch, kab: str, kec: str, package_id: str, settings: DocumentSettings
) -> Document:
    package = PackageView.model_validate(
        await fetch("distribution", "package_get", {"id": package_id})
    )
    kecamatan, rounds = await asyncio.gather(
        fetch("scheduler", "kecamatan_get", {}),
        fetch("distribution", "rounds", {"year": package.distributed_on.year}),
    )
    round_ = _round_of(rounds, package.round_id)
    head = Letterhead.of(settings, kab, kec, kecamatan["name"])
    content = draw_bast(head, package, round_, _desa_name(kecamatan, round_.desa))
    name = (package.bast_no or package_id).replace("/", "-")
    return Document(content, PDF, f"{name}.pdf")


def draw_recap(
    head: Letterhead, round_: RoundRow, desa: str, packages: list[PackageView], today: date
) -> bytes:
    paper = Paper(head, utc_now())
    paper.set_title(f"Rekap BAST {desa} {round_.month}")
    paper.add_page()
    paper.kop_surat()
    paper.title_block(
        "Rekapitulasi Berita Acara Serah Terima Paket Sembako",
        f"Desa {desa} - {_month(round_.month)}",
        f"Kuota {round_.quota} paket; diserahkan {len(packages)} paket"
        + ("; putaran ditutup" if round_.closed else ""),
    )
    rows = [
        [
            str(i),
            p.bast_no or "-",
            long_date(p.distributed_on),
            recipient(p, SHORT),
            RUPIAH(p.value_idr),
            "",
        ]
        for i, p in enumerate(packages, start=1)
    ]
    total = sum(p.value_idr for p in packages)
    paper.grid(
        ["No.", "Nomor BAST", "Tanggal", "Penerima", "Nilai", "Tanda tangan"],
        rows,
        text_columns=4,
        widths=(0.5, 2.0, 1.5, 3.2, 1.3, 1.5),
        totals=["", "Jumlah", "", f"{len(packages)} paket", RUPIAH(total), ""],
    )
    paper.signatures(
        [
            Signer("Mengetahui, Camat " + head.kecamatan, head.office.camat),
            Signer(f"Kepala Desa {desa}", Official(), "", nip=False),
            Signer("Petugas penyaluran", head.office.officer, paper.place_and_date(today)),
        ]
    )
    return paper.finish()


async def recap_document(
    fetch: Fetch, kab: str, kec: str, round_id: str, settings: DocumentSettings
) -> Document:
    kecamatan, rounds, found = await asyncio.gather(
        fetch("scheduler", "kecamatan_get", {}),
        fetch("distribution", "rounds", {}),
        fetch("distribution", "packages", {"round_id": round_id}),
    )
    round_ = _round_of(rounds, round_id)
    packages = [PackageView.model_validate(p) for p in found["packages"]]
    head = Letterhead.of(settings, kab, kec, kecamatan["name"])
    today = jakarta_today()
    content = draw_recap(head, round_, _desa_name(kecamatan, round_.desa), packages, today)
    return Document(content, PDF, f"rekap-bast-{kec}-{round_.month}-{round_.desa}.pdf")
