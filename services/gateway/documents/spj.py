"""The monthly SPJ/LPJ of the fund (surat/laporan pertanggungjawaban): the month's cash book
with what each entry is, opening and closing balances, signed by the bendahara and the camat."""

from __future__ import annotations

import asyncio
import calendar
from datetime import date

from services.gateway.documents import PDF, Document
from services.gateway.documents.paper import Paper, Signer, month_name
from services.gateway.documents.settings import DocumentSettings, Letterhead
from services.gateway.report.data import Fetch
from services.gateway.web.i18n import Words
from shared.clock import jakarta_today, utc_now
from shared.contracts.donations import CashbookDetail, CashbookLine

WORDS = Words("id")
RUPIAH = WORDS.rupiah


def describe(line: CashbookLine) -> str:
    """The entry's uraian: what came in or went out, and its proof (receipt, lot)."""
    receipt = f" (kuitansi {line.receipt_no}/{line.date.year})" if line.receipt_no else ""
    if line.kind == "DONATION":
        return f"Donasi melalui {line.unit or '-'}{receipt}"
    if line.kind == "VOID":
        return f"Pembatalan donasi {line.unit or ''}{receipt}".replace("  ", " ")
    if line.kind == "PROCUREMENT":
        return f"Pembelian {line.packages or 0} paket sembako dari {line.supplier or '-'}"
    category = WORDS.code("expense_category", line.category) if line.category else "-"
    proof = f" (bukti {line.receipt_no}/{line.date.year})" if line.receipt_no else ""
    return f"{category}: {line.description or '-'}{proof}"


def signed_on(year: int, month: int, today: date) -> date:
    """The last day of the month, or today while the month is still running."""
    last = date(year, month, calendar.monthrange(year, month)[1])
    return min(last, today)


def draw_spj(head: Letterhead, book: CashbookDetail, today: date) -> bytes:
    paper = Paper(head, utc_now())
    period = month_name(book.year, book.month)
    paper.set_title(f"SPJ Dana Jumat SMART {period} - Kecamatan {head.kecamatan}")
    paper.add_page()
    paper.kop_surat()
    paper.title_block(
        "Laporan Pertanggungjawaban (SPJ) Dana Jumat SMART",
        f"Bulan {period}",
        "Buku kas bulan ini sudah ditutup" if book.closed else "Buku kas bulan ini belum ditutup",
    )
    rows = [
        [
            str(i),
            line.date.strftime("%d-%m-%Y"),
            describe(line),
            RUPIAH(line.in_idr) if line.in_idr else "",
            RUPIAH(line.out_idr) if line.out_idr else "",
            RUPIAH(line.balance_idr),
        ]
        for i, line in enumerate(book.entries, start=1)
    ]
    opening = ["", f"01-{book.month:02d}-{book.year}", "Saldo awal", "", "", ""]
    opening[5] = RUPIAH(book.opening_idr)
    received = sum(e.in_idr for e in book.entries)
    spent = sum(e.out_idr for e in book.entries)
    paper.grid(
        ["No.", "Tanggal", "Uraian", "Penerimaan", "Pengeluaran", "Saldo"],
        [opening, *rows],
        text_columns=3,
        widths=(0.5, 1.2, 4.4, 1.5, 1.5, 1.5),
        totals=["", "", "Jumlah", RUPIAH(received), RUPIAH(spent), RUPIAH(book.closing_idr)],
    )
    paper.fields(
        [
            ("Saldo awal", RUPIAH(book.opening_idr)),
            ("Penerimaan", RUPIAH(received)),
            ("Pengeluaran", RUPIAH(spent)),
            ("Saldo akhir", RUPIAH(book.closing_idr)),
        ],
        label_mm=35,
    )
    paper.signatures(
        [
            Signer(f"Camat {head.kecamatan}", head.office.camat, "Mengetahui,"),
            Signer("Bendahara", head.office.bendahara, paper.place_and_date(today)),
        ]
    )
    return paper.finish()


async def spj_document(
    fetch: Fetch, kab: str, kec: str, year: int, month: int, settings: DocumentSettings
) -> Document:
    kecamatan, found = await asyncio.gather(
        fetch("scheduler", "kecamatan_get", {}),
        fetch("donations", "cashbook_detail", {"year": year, "month": month}),
    )
    book = CashbookDetail.model_validate(found)
    head = Letterhead.of(settings, kab, kec, kecamatan["name"])
    content = draw_spj(head, book, signed_on(book.year, book.month, jakarta_today()))
    return Document(content, PDF, f"spj-{kec}-{book.year}-{book.month:02d}.pdf")
