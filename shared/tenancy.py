"""Region codes, tenants and the subject / stream naming scheme of the event log."""

from __future__ import annotations

import re
from dataclasses import dataclass

_KAB = re.compile(r"^[0-9]{4}$")
_KEC = re.compile(r"^[0-9]{6}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")
STREAM_PREFIX = "SMART_"
SUBJECT_ROOT = "smart"


class InvalidRegionCode(ValueError):
    """A region code that does not have the Kemendagri shape."""


def undot(code: str) -> str:
    """`35.20.05` -> `352005`; a code already without dots is returned as is."""
    return code.replace(".", "")


def dot(code: str) -> str:
    """`352005` -> `35.20.05`; `3520052004` -> `35.20.05.2004`."""
    code = undot(code)
    parts = [code[i : i + 2] for i in range(0, min(len(code), 6), 2)]
    if len(code) > 6:
        parts.append(code[6:])
    return ".".join(parts)


def kabupaten_code(code: str) -> str:
    """A kabupaten's code without dots (`35.20` -> `3520`); anything else is refused."""
    kab = undot(code)
    if not _KAB.match(kab):
        raise InvalidRegionCode(f"kabupaten code {code!r} must be 4 digits")
    return kab


def check_token(value: str, what: str) -> str:
    if not _TOKEN.match(value):
        raise ValueError(f"{what} {value!r} is not a valid subject token")
    return value


@dataclass(frozen=True, slots=True)
class Tenant:
    """One kecamatan inside its kabupaten, both as Kemendagri codes without dots."""

    kab: str
    kec: str

    def __post_init__(self) -> None:
        if not _KAB.match(self.kab):
            raise InvalidRegionCode(f"kabupaten code {self.kab!r} must be 4 digits")
        if not _KEC.match(self.kec) or not self.kec.startswith(self.kab):
            raise InvalidRegionCode(
                f"kecamatan code {self.kec!r} must be the kabupaten code plus two digits"
            )

    @classmethod
    def parse(cls, kab: str, kec: str) -> Tenant:
        return cls(undot(kab), undot(kec))

    @property
    def kab_dotted(self) -> str:
        return dot(self.kab)

    @property
    def kec_dotted(self) -> str:
        return dot(self.kec)

    @property
    def subjects(self) -> str:
        """A subject filter for every event of this kecamatan in its kabupaten's stream."""
        return f"smart.{self.kab}.{self.kec}.>"


def stream_name(kab: str) -> str:
    if not _KAB.match(kab):
        raise InvalidRegionCode(f"kabupaten code {kab!r} must be 4 digits")
    return f"{STREAM_PREFIX}{kab}"


def stream_subjects(kab: str) -> list[str]:
    return [f"{SUBJECT_ROOT}.{kab}.>"]


def kab_of_stream(name: str) -> str:
    return name.removeprefix(STREAM_PREFIX)


@dataclass(frozen=True, slots=True)
class AggregateRef:
    """Where one aggregate's events live: `smart.<kab>.<kec>.<service>.<aggregate>.<id>`."""

    tenant: Tenant
    service: str
    aggregate_type: str
    aggregate_id: str

    def __post_init__(self) -> None:
        check_token(self.service, "service")
        check_token(self.aggregate_type, "aggregate type")
        check_token(self.aggregate_id, "aggregate id")

    @property
    def subject(self) -> str:
        t = self.tenant
        tail = f"{self.service}.{self.aggregate_type}.{self.aggregate_id}"
        return f"{SUBJECT_ROOT}.{t.kab}.{t.kec}.{tail}"

    @property
    def stream(self) -> str:
        return stream_name(self.tenant.kab)


def service_filter(kab: str, service: str, aggregate_type: str = "*") -> str:
    """A subject filter for every aggregate of one type of one service in a kabupaten."""
    return f"{SUBJECT_ROOT}.{kab}.*.{service}.{aggregate_type}.*"
