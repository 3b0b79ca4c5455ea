"""What every command, query and reply contract is, and how one maps onto an HTTP path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Strict, StringConstraints

from shared.strict import FREE_TEXT, ONE_LINE, IsoDate, whole_number

WRITERS = frozenset({"admin", "camat"})
"""Who may send a write unless its operation says otherwise."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=200), ONE_LINE]
"""One line of text (a name, a unit, a supplier): no control character, TAB and line breaks
included (shared/strict.py). Another length: `Annotated[str, StringConstraints(..), ONE_LINE]`."""
LongText = Annotated[str, StringConstraints(min_length=1, max_length=2000), FREE_TEXT]
"""Free text over several lines (a note, a reason, an address): TAB, LF and CR allowed, no
other control character. Another length: `Annotated[str, StringConstraints(..), FREE_TEXT]`."""
Int = Annotated[int, Strict()]
"""An integer of a command's JSON body: no bool, no 2025.0, no "3"."""
QueryInt = Annotated[int, BeforeValidator(whole_number)]
"""An integer of a query (its parameters arrive as text): digits, or an int from a trusted
caller; no bool, no 2025.0."""


class Message(BaseModel):
    """A request to one service's RPC: `service` and `rpc` name where it is served.

    Strictness is in the field types, once for every service: `Text` / `LongText` for text,
    `Int` for a body's integers, `IsoDate` for dates, `QueryInt` for a query's integers."""

    service: ClassVar[str]
    rpc: ClassVar[str]
    desa_field: ClassVar[str | None] = None
    """The body field naming the desa a command acts in: the caller's area is judged on it
    before anything else in the body."""
    kabupaten_wide: ClassVar[bool] = False
    """Served for a whole kabupaten (no kecamatan in the request): the edge checks no
    kecamatan and refuses a caller confined to one (shared/edge/kit.py)."""

    @classmethod
    def takes_no_input(cls) -> bool:
        return not cls.model_fields


class Command(Message):
    """Something asked of a service that may append events; the body of a write."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Part(BaseModel):
    """A piece of a command's body (an object inside it), as strict as the command."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Query(Message):
    """A read of a service's read models; its fields are the query parameters."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Reply(BaseModel):
    """What a command or a query answers (`position` is added by the edge to writes)."""

    model_config = ConfigDict(frozen=True)


BodyKind = Literal["json", "csv", "file", "none"]
"""`file`: one uploaded file, the multipart field `file` (its bytes reach the service in
base64 as the body's `file`)."""


@dataclass(frozen=True)
class Operation:
    """One path of the public contract: the message it sends, the reply it answers, the
    status of a success, and the roles that may send it (reads: every role in the area)."""

    method: str
    path: str
    message: type[Message]
    reply: type[BaseModel]
    summary: str
    operation_id: str
    status: int = 200
    writers: frozenset[str] = WRITERS
    body: BodyKind = "json"
    also: int | None = None
    """A second success status: 200 for a PUT or a schedule that changed nothing new."""
    query: tuple[str, ...] = ()
    """A write's fields taken from the query string (beside a CSV body), as the body's."""

    @property
    def service(self) -> str:
        return self.message.service

    @property
    def rpc(self) -> str:
        return self.message.rpc

    @property
    def write(self) -> bool:
        return self.method != "GET"

    @property
    def has_id(self) -> bool:
        return "{id}" in self.path

    def query_fields(self) -> tuple[str, ...]:
        """The query parameters a read forwards (its message's fields), or a write's."""
        return tuple(self.message.model_fields) if not self.write else self.query


__all__ = [
    "FREE_TEXT",
    "ONE_LINE",
    "WRITERS",
    "BodyKind",
    "Command",
    "Int",
    "IsoDate",
    "LongText",
    "Message",
    "Operation",
    "Query",
    "QueryInt",
    "Reply",
    "Text",
]
