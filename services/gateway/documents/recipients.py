"""The recipients-by-name workbook for the Dinas Sosial: the only file with names in clear.
The distribution service records the export in the log before it answers the rows; the
workbook is made in memory and handed to the one who asked, never kept."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from services.gateway.documents import XLSX, Document
from services.gateway.report.data import Fetch
from services.gateway.report.sheets import xlsx
from services.gateway.report.tables import Cell, Table
from services.gateway.web.i18n import Words
from shared.contracts.documents import RecipientsExport

Send = Any
"""`(service, rpc, body, command_id) -> data`: a write through the gateway's bridge."""

WORDS = Words("id")
HEADERS = (
    ("no", "No."),
    ("nomor_bast", "Nomor BAST"),
    ("tanggal", "Tanggal serah terima"),
    ("kode_desa", "Kode desa"),
    ("desa", "Desa/Kelurahan"),
    ("kepala_keluarga", "Nama kepala keluarga"),
    ("nik", "NIK (disamarkan)"),
    ("diterima_oleh", "Diterima oleh"),
    ("hubungan", "Hubungan"),
    ("desil", "Desil"),
    ("basis_data", "Basis data"),
    ("nilai_rp", "Nilai paket"),
)


def recipients_table(export: RecipientsExport, desa_names: dict[str, str]) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (
            i,
            r.bast_no or "-",
            r.distributed_on.isoformat(),
            r.desa,
            desa_names.get(r.desa, r.desa),
            r.head_name or "(dilupakan)",
            r.nik_masked or "-",
            r.received_name or "-",
            WORDS.code("relation", r.relation) if r.relation else "-",
            r.desil if r.desil is not None else "-",
            r.registry or "-",
            r.value_idr,
        )
        for i, r in enumerate(export.rows, start=1)
    ]
    total = sum(r.value_idr for r in export.rows)
    return Table(
        "penerima",
        f"Penerima {export.year}",
        tuple(k for k, _ in HEADERS),
        tuple(h for _, h in HEADERS),
        rows,
        money=frozenset({11}),
        totals=("", "Jumlah", "", "", "", f"{len(rows)} paket", "", "", "", "", "", total),
        plain=frozenset({0, 9}),
    )


def about_table(export: RecipientsExport, kecamatan: str, actor: str) -> Table:
    rows: list[tuple[Cell, ...]] = [
        ("Kecamatan", kecamatan),
        ("Tahun", str(export.year)),
        ("Desa", export.desa or "semua desa"),
        ("Nomor ekspor (tercatat di log)", export.export_id),
        ("Diekspor oleh", actor),
        ("Catatan", "Berisi data pribadi: simpan dan bagikan hanya untuk verifikasi Dinas Sosial."),
    ]
    return Table("ekspor", "Tentang berkas ini", ("isian", "nilai"), ("Isian", "Nilai"), rows)


async def recipients_document(
    fetch: Fetch, send: Send, kec: str, year: int, desa: str | None, actor: str
) -> Document:
    """Record the export (the service does, first), then write its rows to a workbook."""
    body = {"year": year, **({"desa": desa} if desa else {})}
    kecamatan, found = await asyncio.gather(
        fetch("scheduler", "kecamatan_get", {}),
        send("distribution", "recipients_export", body, f"export-{uuid.uuid4()}"),
    )
    export = RecipientsExport.model_validate(found)
    names = {d["code"]: d["name"] for d in kecamatan["desa"]}
    tables = [about_table(export, kecamatan["name"], actor), recipients_table(export, names)]
    filename = f"penerima-{kec}-{year}{'-' + desa if desa else ''}.xlsx"
    return Document(xlsx(tables, WORDS), XLSX, filename)
