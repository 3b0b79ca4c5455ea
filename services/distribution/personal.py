"""Households' personal data: marked for sealing, looked up by HMAC, opened and masked.

The command runner seals it under the household's own data key (`shared.keys`), in the
distribution service's key schema; forgetting the household destroys that key."""

from __future__ import annotations

import json
from dataclasses import dataclass

from services.distribution.domain import Identity
from shared.contracts.distribution import RegisterHousehold
from shared.crypto import lookup_hmac, mask_name, mask_number, open_text
from shared.events.base import Clear

KEY_SCHEMA = "distribution_keys"


@dataclass(frozen=True)
class Personal:
    """A household's personal data in clear: only ever in memory, never logged."""

    no_kk: str
    nik: str
    name: str
    address: str

    def __repr__(self) -> str:
        return "Personal(<sealed>)"

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @property
    def nik_masked(self) -> str:
        return mask_number(self.nik)


def context(household_id: str) -> str:
    return f"household:{household_id}"


def lookups(secret: str, no_kk: str, nik: str) -> tuple[str, str]:
    """The kabupaten-wide lookup HMACs of a No. KK and a NIK."""
    return lookup_hmac(secret, "no_kk", no_kk), lookup_hmac(secret, "nik", nik)


def identity(secret: str, cmd: RegisterHousehold) -> Identity:
    """The lookups and the personal data, marked for the runner to seal."""
    clear = {"no_kk": cmd.no_kk, "nik": cmd.nik, "name": cmd.name, "address": cmd.address}
    no_kk_hmac, nik_hmac = lookups(secret, cmd.no_kk, cmd.nik)
    personal = Clear(json.dumps(clear, ensure_ascii=False))
    return Identity(no_kk_hmac=no_kk_hmac, nik_hmac=nik_hmac, personal=personal)


def unseal(key: bytes, household_id: str, token: str) -> Personal:
    return Personal(**json.loads(open_text(key, token, context(household_id))))
