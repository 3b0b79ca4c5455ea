"""Integrity commands: the shape of each request body, checked before any rule."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from shared.events.integrity import FindingCategory, FindingSeverity, FindingSource

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class RecordFinding(Command):
    """Record a temuan. `official_ref` is an opaque reference (no spaces, with a digit)."""

    unit: str = Field(min_length=1, max_length=200)
    category: FindingCategory
    severity: FindingSeverity
    found_on: IsoDate
    source: FindingSource
    description: Text
    visit_id: str | None = Field(default=None, min_length=1, max_length=100)
    official_ref: str | None = Field(
        default=None, max_length=40, pattern=r"^[A-Za-z0-9._/-]*[0-9][A-Za-z0-9._/-]*$"
    )

    def texts(self) -> dict[str, str]:
        return {"description": self.description}


class FollowUpFinding(Command):
    action: Text
    sanction: Text | None = None

    def texts(self) -> dict[str, str]:
        return {"action": self.action, **({"sanction": self.sanction} if self.sanction else {})}


class ResolveFinding(Command):
    action: Text

    def texts(self) -> dict[str, str]:
        return {"action": self.action}


class DismissFinding(Command):
    reason: Text

    def texts(self) -> dict[str, str]:
        return {"reason": self.reason}
