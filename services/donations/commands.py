"""What an official asks of the fund: the commands' shape, validated before any rule."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("expected a date as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Rupiah = Annotated[int, Field(strict=True, ge=1)]
Count = Annotated[int, Field(strict=True, ge=1)]


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class ReceiveDonation(Command):
    """Record one gift to the fund; `donor` absent or "hamba Allah" means anonymous."""

    unit: str = Field(min_length=1, max_length=200)
    amount_idr: Rupiah
    received_on: IsoDate
    donor: str | None = Field(default=None, max_length=200)


class VoidDonation(Command):
    """Reverse a recorded donation, saying why."""

    reason: str = Field(min_length=1, max_length=500)


class ProcurePackages(Command):
    """Spend from the fund on a lot of paket sembako."""

    packages: Count
    unit_price_idr: Rupiah
    purchased_on: IsoDate
    supplier: str = Field(min_length=1, max_length=200)
