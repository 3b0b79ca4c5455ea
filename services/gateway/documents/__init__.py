"""Signable documents of a kecamatan (kuitansi, BAST, SPJ) and the exports for Dinas Sosial,
drawn on the kecamatan's paper (`paper.py`) from what the services answer."""

from __future__ import annotations

from dataclasses import dataclass

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Document:
    """A made document: its bytes, media type and the file name it is saved under."""

    content: bytes
    media: str
    filename: str

    def disposition(self, inline: bool = False) -> str:
        return f'{"inline" if inline else "attachment"}; filename="{self.filename}"'
