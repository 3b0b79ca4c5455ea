"""The distribution service's refusals: a code and its message in Bahasa Indonesia and English."""

from __future__ import annotations

from typing import Any

from shared.errors import DomainError, InvalidInput

REFUSALS: dict[str, tuple[str, str]] = {
    "DUPLICATE_HOUSEHOLD": (
        "Rumah tangga dengan No. KK atau NIK ini sudah terdaftar di kabupaten",
        "A household with this No. KK or NIK is already registered in the kabupaten",
    ),
    "REGISTRY_DOWNGRADE": (
        "Sumber data tidak dapat dikembalikan dari DTSEN ke DTKS",
        "The registry cannot go back from DTSEN to DTKS",
    ),
    "HOUSEHOLD_FORGOTTEN": (
        "Data rumah tangga ini telah dihapus atas permintaannya",
        "This household has been forgotten at its request",
    ),
    "ROUND_EXISTS": (
        "Putaran untuk desa dan bulan ini sudah ada",
        "A round for this desa and month already exists",
    ),
    "ROUND_CLOSED": ("Putaran ini sudah ditutup", "This round is closed"),
    "NOT_ELIGIBLE": (
        "Rumah tangga ini tidak berhak pada tanggal itu (menerima bantuan lain)",
        "This household is not eligible on that date (it receives other aid)",
    ),
    "WRONG_DESA": (
        "Rumah tangga ini bukan warga desa putaran ini",
        "This household does not belong to the round's desa",
    ),
    "ALREADY_RECEIVED": (
        "Rumah tangga ini sudah menerima paket bulan ini",
        "This household already received a package this month",
    ),
    "NO_STOCK": ("Stok paket sembako tidak cukup", "Not enough sembako packages in stock"),
    "QUOTA_REACHED": ("Kuota putaran ini sudah terpenuhi", "This round's quota has been reached"),
}


class DistributionError(DomainError):
    """A distribution rule refused the command (409), `code` from `REFUSALS`."""

    def __init__(self, code: str, *, field: str | None = None, **extra: Any) -> None:
        message, message_en = REFUSALS[code]
        super().__init__(code, message, message_en, field=field, extra=extra or None)


def unknown_desa() -> InvalidInput:
    return InvalidInput(
        "desa", "Desa tidak termasuk kecamatan ini", "The desa is not one of the kecamatan's"
    )
