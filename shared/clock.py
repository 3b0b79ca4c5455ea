"""Time: aware UTC inside, business days judged in Asia/Jakarta."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def utc_now() -> datetime:
    return datetime.now(UTC)


def jakarta_today(now: datetime | None = None) -> date:
    """The business date today in Indonesia's western time zone."""
    return (now or utc_now()).astimezone(JAKARTA).date()


def jakarta_midnight_utc(day: date) -> datetime:
    """The start of a business date in Jakarta, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=JAKARTA).astimezone(UTC)
