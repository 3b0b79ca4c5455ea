"""Households' personal data: marked for sealing, opened, patched and masked.

The command runner seals it under the household's own data key (`shared.keys`), in the
distribution service's key schema; forgetting the household destroys that key. Its numbers
are looked up by HMACs under the kabupaten's rotating lookup key (claims.py), never kept in
the log."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from shared.contracts.distribution import ChangeHousehold, Member, RegisterHousehold
from shared.crypto import mask_name, mask_number, open_text
from shared.errors import InvalidInput
from shared.events.base import Clear

KEY_SCHEMA = "distribution_keys"


@dataclass(frozen=True)
class Person:
    nik: str
    name: str


@dataclass(frozen=True)
class Personal:
    """A household's personal data in clear: only ever in memory, never logged."""

    no_kk: str
    nik: str
    name: str
    address: str
    members: tuple[Person, ...] = ()

    def __repr__(self) -> str:
        return "Personal(<sealed>)"

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)

    @property
    def nik_masked(self) -> str:
        return mask_number(self.nik)

    def niks(self) -> list[str]:
        """The head's NIK, then the members'."""
        return [self.nik, *(m.nik for m in self.members)]

    def numbers(self) -> list[tuple[str, str]]:
        """Every number the household holds kabupaten-wide, as (kind, value)."""
        return [("no_kk", self.no_kk), *(("nik", n) for n in self.niks())]

    def marked(self) -> str:
        """The record as the log keeps it once sealed, marked `Clear` for the runner."""
        clear = dataclasses.asdict(self)
        return Clear(json.dumps(clear, ensure_ascii=False))

    def patched(self, cmd: ChangeHousehold) -> Personal:
        """With the name, address and members the change gives; a member may not hold the
        head's NIK (422 `members`)."""
        members = self.members if cmd.members is None else people(cmd.members)
        if any(m.nik == self.nik for m in members):
            raise InvalidInput(
                "members",
                "NIK anggota sama dengan NIK kepala keluarga",
                "A member's NIK is the head's",
            )
        return dataclasses.replace(
            self,
            name=self.name if cmd.name is None else cmd.name,
            address=self.address if cmd.address is None else cmd.address,
            members=members,
        )


def people(members: list[Member]) -> tuple[Person, ...]:
    return tuple(Person(m.nik, m.name) for m in members)


def context(household_id: str) -> str:
    return f"household:{household_id}"


def of_registration(cmd: RegisterHousehold) -> Personal:
    return Personal(cmd.no_kk, cmd.nik, cmd.name, cmd.address, people(cmd.members))


def unseal(key: bytes, household_id: str, token: str) -> Personal:
    """The record as sealed (one sealed before members existed has none)."""
    record = json.loads(open_text(key, token, context(household_id)))
    members = tuple(Person(**m) for m in record.pop("members", []))
    return Personal(**record, members=members)
