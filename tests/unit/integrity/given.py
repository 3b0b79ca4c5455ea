"""Given/when/then helpers for findings: a finding built from events, refusals checked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import reduce
from typing import Any

import pytest

from services.integrity.domain import Acting, Directory, Finding, Recording, Visit, evolve
from shared.errors import DomainError
from shared.events.base import DomainEvent
from shared.events.integrity import (
    FindingCategory,
    FindingDismissed,
    FindingFollowedUp,
    FindingRecorded,
    FindingResolved,
    FindingSeverity,
    FindingSource,
    SubjectType,
)
from shared.events.scheduler import Desa

TODAY = date(2023, 10, 10)
FINDING_ID = "0b7f2e1c-8a4d-5e6f-9a0b-1c2d3e4f5a6b"
BALEREJO = Desa(code="35.20.05.2004", name="Balerejo")
GARON = Desa(code="35.20.05.2006", name="Garon")
DIRECTORY = Directory((BALEREJO, GARON), ("Kantor Kecamatan", "Pemerintah Desa Balerejo"))
SEALED = "v1:c2VhbGVk"
VISIT = Visit("visit-1", BALEREJO.code, date(2023, 10, 3))


def sealed(*fields: str) -> dict[str, str]:
    return dict.fromkeys(fields, SEALED)


def recording(visit: Visit | None = None, official_id: str | None = None) -> Recording:
    texts = sealed("description", *(["official"] if official_id else []))
    return Recording(FINDING_ID, TODAY, DIRECTORY, texts, official_id, visit)


def acting(*fields: str) -> Acting:
    return Acting(FINDING_ID, TODAY, sealed(*fields))


def given(*events: DomainEvent) -> Finding:
    return reduce(evolve, events, Finding())


def recorded(found_on: date = date(2023, 10, 2), **kw: Any) -> FindingRecorded:
    fields: dict[str, Any] = {
        "finding_id": FINDING_ID,
        "unit": BALEREJO.code,
        "unit_name": BALEREJO.name,
        "desa": BALEREJO.code,
        "subject_type": SubjectType.ASN,
        "official": None,
        "official_id": None,
        "category": FindingCategory.KEHADIRAN,
        "severity": FindingSeverity.RINGAN,
        "source": FindingSource.INSPEKTORAT,
        "found_on": found_on,
        "description": SEALED,
        "visit_id": None,
    }
    return FindingRecorded(**(fields | kw))


def followed_up() -> FindingFollowedUp:
    return FindingFollowedUp(
        finding_id=FINDING_ID,
        followed_up_on=TODAY,
        action=SEALED,
        sanction=None,
        sanction_code=None,
    )


def resolved() -> FindingResolved:
    return FindingResolved(finding_id=FINDING_ID, resolved_on=TODAY, action=SEALED)


def dismissed() -> FindingDismissed:
    return FindingDismissed(finding_id=FINDING_ID, dismissed_on=TODAY, reason=SEALED)


def refused(when: Callable[[], Any], code: str, status: int = 409) -> DomainError:
    """Then: the command is refused with `code`, in Bahasa Indonesia and in English."""
    with pytest.raises(DomainError) as caught:
        when()
    error = caught.value
    assert (error.code, error.status) == (code, status)
    assert error.message
    assert error.message_en
    assert error.message != error.message_en
    return error


def invalid(when: Callable[[], Any], field: str) -> DomainError:
    """Then: the input is refused 422, naming `field`."""
    error = refused(when, "INVALID", 422)
    assert error.field == field
    return error
