"""What every command, query and reply contract is, and how one maps onto an HTTP path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
WRITERS = frozenset({"admin", "camat"})
"""Who may send a write unless its operation says otherwise."""


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("expected a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
"""A date written `YYYY-MM-DD`: no number, no other spelling."""


class Message(BaseModel):
    """A request to one service's RPC: `service` and `rpc` name where it is served."""

    service: ClassVar[str]
    rpc: ClassVar[str]
    desa_field: ClassVar[str | None] = None
    """The body field naming the desa a command acts in: the caller's area is judged on it
    before anything else in the body."""

    @classmethod
    def takes_no_input(cls) -> bool:
        return not cls.model_fields


class Command(Message):
    """Something asked of a service that may append events; the body of a write."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Query(Message):
    """A read of a service's read models; its fields are the query parameters."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Reply(BaseModel):
    """What a command or a query answers (`position` is added by the edge to writes)."""

    model_config = ConfigDict(frozen=True)


BodyKind = Literal["json", "csv", "none"]


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
        """The query parameters a read forwards: its message's fields."""
        return tuple(self.message.model_fields) if not self.write else ()
