"""An A4 page of the kecamatan's paper: kop surat, embedded font, "Halaman N dari M",
tables of figures and the signature block; every document of the system is drawn on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from services.gateway.documents.fonts import FAMILY, font_files
from services.gateway.documents.settings import Letterhead, Official
from shared.clock import JAKARTA

MONTHS_LONG = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
PAGE_OF = {"id": "Halaman {n} dari {m}", "en": "Page {n} of {m}"}
NIP_BLANK = "NIP. ...................................."
NAME_BLANK = "(........................................)"
GREEN = (46, 125, 50)


def long_date(day: date, lang: str = "id") -> str:
    """`2 Desember 2026` (`2 December 2026`): how a letter is dated."""
    return f"{day.day} {MONTHS_LONG[lang][day.month - 1]} {day.year}"


def month_name(year: int, month: int, lang: str = "id") -> str:
    return f"{MONTHS_LONG[lang][month - 1]} {year}"


@dataclass(frozen=True)
class Signer:
    """One signature: the role above it (`Camat Kawedanan`), the official below it."""

    role: str
    official: Official
    above: str = ""
    """A line above the role: `Mengetahui,` or `Kawedanan, 2 Desember 2026`."""
    nip: bool = True
    """False for a signer who is no civil servant (a resident, a village head)."""


BLANK = Signer("", Official())
"""An empty column of the signature block (a lone signer signs on the right)."""


class Paper(FPDF):
    """fpdf2 with the kop surat on the first page and the page count on every page."""

    def __init__(self, letterhead: Letterhead, stamp: datetime, lang: str = "id") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.letterhead = letterhead
        self.stamp = stamp
        self.lang = lang
        for style, path in font_files().items():
            self.add_font(FAMILY, style, str(path))
        self.set_font(FAMILY, "", 10)
        self.set_creator("Jumat SMART")
        self.set_margins(20, 15, 20)
        self.set_auto_page_break(auto=True, margin=18)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(90, 90, 90)
        made = self.stamp.astimezone(JAKARTA).strftime("%Y-%m-%d %H:%M WIB")
        self.cell(0, 5, f"Jumat SMART · {made}", align="L")
        self.set_x(self.l_margin)
        page = PAGE_OF[self.lang].format(n=self.page_no(), m=self.str_alias_nb_pages)
        self.cell(0, 5, page, align="R")
        self.set_text_color(0, 0, 0)

    def text_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def kop_surat(self) -> None:
        """The letterhead: logo left, government, kecamatan and address centred, a rule."""
        head = self.letterhead
        top = self.get_y()
        logo = head.office.logo
        if logo is not None and logo.exists():
            self.image(str(logo), x=self.l_margin, y=top, h=22)
        self.set_font(FAMILY, "B", 13)
        self.cell(0, 6.5, f"PEMERINTAH KABUPATEN {head.kabupaten.upper()}", align="C")
        self.ln(6.5)
        self.set_font(FAMILY, "B", 16)
        self.cell(0, 8, f"KECAMATAN {head.kecamatan.upper()}", align="C")
        self.ln(8)
        self.set_font(FAMILY, "", 9)
        if head.office.address:
            self.cell(0, 5, head.office.address, align="C")
            self.ln(5)
        self.set_y(max(self.get_y(), top + 23))
        self.set_line_width(0.8)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_line_width(0.2)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(5)
        self.set_font(FAMILY, "", 10)

    def title_block(self, title: str, number: str = "", subtitle: str = "") -> None:
        self.set_font(FAMILY, "B", 13)
        self.cell(0, 7, title.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, "", 10)
        for line in (number, subtitle):
            if line:
                self.cell(0, 5.5, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)

    def heading(self, text: str) -> None:
        if self.will_page_break(20):
            self.add_page()
        self.set_font(FAMILY, "B", 11)
        self.set_text_color(*GREEN)
        self.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.set_font(FAMILY, "", 10)

    def paragraph(self, text: str, size: float = 10) -> None:
        self.set_font(FAMILY, "", size)
        self.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)

    def fields(self, pairs: Sequence[tuple[str, str]], label_mm: float = 45) -> None:
        """`Label : value` lines, the colons aligned, as a form of the office prints them."""
        for label, value in pairs:
            self.set_font(FAMILY, "", 10)
            self.cell(label_mm, 6, label)
            self.cell(4, 6, ":")
            self.multi_cell(0, 6, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        text_columns: int = 1,
        widths: Sequence[float] | None = None,
        totals: Sequence[str] | None = None,
    ) -> None:
        """A table: its header repeated on every page, words left, figures right."""
        count = len(headers)
        align = tuple("LEFT" if i < text_columns else "RIGHT" for i in range(count))
        self.set_font(FAMILY, "", 8.5)
        with self.table(
            col_widths=tuple(widths) if widths else None,
            text_align=align,
            line_height=5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(232, 242, 234)),
            repeat_headings=1,
        ) as table:
            for values in [headers, *rows]:
                line = table.row()
                for value in values:
                    line.cell(value)
            if totals is not None:
                line = table.row(style=FontFace(emphasis="BOLD", fill_color=(244, 248, 245)))
                for value in totals:
                    line.cell(value)
        self.ln(3)
        self.set_font(FAMILY, "", 10)

    def signatures(self, signers: Sequence[Signer]) -> None:
        """The signature block: one column per signer, room to sign, name and NIP below."""
        if self.will_page_break(48):
            self.add_page()
        self.ln(4)
        width = self.text_width() / max(len(signers), 1)
        top = self.get_y()
        for i, signer in enumerate(signers):
            if signer is BLANK:
                continue
            x = self.l_margin + i * width
            self.set_xy(x, top)
            self.set_font(FAMILY, "", 10)
            self.cell(width, 5, signer.above, align="C")
            self.set_xy(x, top + 5)
            self.cell(width, 5, signer.role, align="C")
            self.set_xy(x, top + 28)
            self.set_font(FAMILY, "B", 10)
            name = signer.official.name or NAME_BLANK
            self.cell(width, 5, name, align="C")
            self.set_xy(x, top + 33)
            self.set_font(FAMILY, "", 9)
            if signer.nip:
                nip = f"NIP. {signer.official.nip}" if signer.official.nip else NIP_BLANK
                self.cell(width, 5, nip, align="C")
        self.set_xy(self.l_margin, top + 40)

    def place_and_date(self, day: date) -> str:
        return f"{self.letterhead.place}, {long_date(day, self.lang)}"

    def finish(self) -> bytes:
        return bytes(self.output())
