"""The kuitansi of one donation: number, donor (or "Hamba Allah"), unit, amount in figures
and in words (terbilang), date, and the bendahara's signature."""

from __future__ import annotations

import asyncio

from services.gateway.documents import PDF, Document
from services.gateway.documents.fonts import FAMILY
from services.gateway.documents.paper import BLANK, Paper, Signer, long_date, month_name
from services.gateway.documents.settings import DocumentSettings, Letterhead
from services.gateway.documents.terbilang import rupiah_in_words
from services.gateway.report.data import Fetch
from services.gateway.web.i18n import Words
from shared.clock import utc_now
from shared.contracts.documents import ReceiptDocument

ANONYMOUS = "Hamba Allah"
RUPIAH = Words("id").rupiah


def receipt_number(doc: ReceiptDocument) -> str:
    """`17/2023`: the receipt counts per kecamatan and year of `received_on`."""
    return f"{doc.receipt_no}/{doc.received_on.year}"


def draw_receipt(head: Letterhead, doc: ReceiptDocument) -> bytes:
    paper = Paper(head, utc_now())
    paper.set_title(f"Kuitansi {receipt_number(doc)} - Kecamatan {head.kecamatan}")
    paper.add_page()
    paper.kop_surat()
    paper.title_block("Kuitansi", f"Nomor: {receipt_number(doc)}")
    if doc.voided:
        paper.set_font(FAMILY, "B", 14)
        paper.set_text_color(198, 40, 40)
        paper.cell(0, 8, "DIBATALKAN (VOID)", align="C", new_x="LMARGIN", new_y="NEXT")
        paper.set_text_color(0, 0, 0)
    paper.fields(
        [
            ("Telah terima dari", doc.donor or ANONYMOUS),
            ("Melalui unit", doc.unit),
            ("Uang sejumlah", rupiah_in_words(doc.amount_idr)),
            (
                "Untuk pembayaran",
                "Donasi Jumat SMART (paket sembako bagi warga kurang mampu),"
                f" bulan {month_name(doc.received_on.year, doc.received_on.month)}",
            ),
            ("Tanggal diterima", long_date(doc.received_on)),
        ]
    )
    paper.ln(4)
    paper.set_font(FAMILY, "B", 14)
    paper.set_fill_color(232, 242, 234)
    paper.cell(70, 11, f"  {RUPIAH(doc.amount_idr)}", border=1, fill=True)
    paper.ln(6)
    paper.signatures(
        [
            BLANK,
            Signer(
                "Yang menerima, Bendahara",
                head.office.bendahara,
                paper.place_and_date(doc.received_on),
            ),
        ]
    )
    paper.set_font(FAMILY, "", 7.5)
    paper.cell(0, 5, f"ID donasi: {doc.donation_id}")
    return paper.finish()


async def receipt_document(
    fetch: Fetch, kab: str, kec: str, donation_id: str, settings: DocumentSettings
) -> Document:
    kecamatan, found = await asyncio.gather(
        fetch("scheduler", "kecamatan_get", {}), fetch("donations", "receipt", {"id": donation_id})
    )
    doc = ReceiptDocument.model_validate(found)
    head = Letterhead.of(settings, kab, kec, kecamatan["name"])
    return Document(
        draw_receipt(head, doc), PDF, f"kuitansi-{kec}-{doc.received_on.year}-{doc.receipt_no}.pdf"
    )
