"""Who signs and what the letterhead shows: settings of the deployment, never the log.

An official's name and NIP are personal data: they are not events and no read model holds
them. They come from `SMART_DOCUMENTS_*` (one kecamatan) or from the JSON file
`SMART_DOCUMENTS_OFFICIALS_FILE` (a kabupaten: one entry per kecamatan code, with or
without dots), read when a document is made; what is not set is left as a line to fill in
by hand."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.gateway.web.wilayah import MAGETAN

log = logging.getLogger("smart.documents")


class Official(BaseModel):
    """A signer: name and NIP (either may be blank: a dotted line is printed)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = ""
    nip: str = ""


class KecamatanOffice(BaseModel):
    """One kecamatan's letterhead and signers, as the officials file gives them."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    kabupaten: str = ""
    address: str = ""
    place: str = ""
    logo: Path | None = None
    camat: Official = Official()
    bendahara: Official = Official()
    officer: Official = Official()


class DocumentSettings(BaseSettings):
    """Defaults for every kecamatan; the officials file overrides them per kecamatan."""

    model_config = SettingsConfigDict(env_prefix="SMART_DOCUMENTS_", extra="ignore")

    logo: Path | None = None
    kabupaten: str = ""
    address: str = ""
    place: str = ""
    camat_name: str = ""
    camat_nip: str = ""
    bendahara_name: str = ""
    bendahara_nip: str = ""
    officials_file: Path | None = None

    def _entry(self, kec: str) -> dict[str, Any]:
        if self.officials_file is None or not self.officials_file.exists():
            return {}
        try:
            found: Any = json.loads(self.officials_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("documents: %s is not a readable JSON file", self.officials_file)
            return {}
        if not isinstance(found, dict):
            return {}
        wanted = kec.replace(".", "")
        entry: Any = next((v for k, v in found.items() if k.replace(".", "") == wanted), {})
        return entry if isinstance(entry, dict) else {}

    def office(self, kec: str) -> KecamatanOffice:
        defaults = KecamatanOffice(
            kabupaten=self.kabupaten,
            address=self.address,
            place=self.place,
            logo=self.logo,
            camat=Official(name=self.camat_name, nip=self.camat_nip),
            bendahara=Official(name=self.bendahara_name, nip=self.bendahara_nip),
        )
        try:
            return KecamatanOffice.model_validate({**defaults.model_dump(), **self._entry(kec)})
        except ValidationError as exc:
            log.warning("documents: the officials file's entry for %s is not valid: %s", kec, exc)
            return defaults


def kabupaten_name(kab: str, configured: str) -> str:
    """The configured name, else the reference name of the code, else the code."""
    if configured:
        return configured
    return MAGETAN[1] if kab == MAGETAN[0].replace(".", "") else kab


@dataclass(frozen=True)
class Letterhead:
    """What the kop surat and the signature block of one kecamatan's documents print."""

    kab: str
    kec: str
    kabupaten: str
    kecamatan: str
    office: KecamatanOffice

    @classmethod
    def of(cls, settings: DocumentSettings, kab: str, kec: str, kecamatan: str) -> Letterhead:
        office = settings.office(kec)
        return cls(kab, kec, kabupaten_name(kab, office.kabupaten), kecamatan, office)

    @property
    def place(self) -> str:
        return self.office.place or self.kecamatan
