"""Given/when/then helpers for the distribution domain tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import pytest

from shared.contracts.distribution import RegisterHousehold
from shared.errors import DomainError
from shared.events.base import DomainEvent
from shared.events.distribution import Aid, HouseholdRegistered, Registry

S = TypeVar("S")

BALEREJO = "35.20.05.2004"
GARON = "35.20.05.2005"
DESA = {BALEREJO, GARON}
TODAY = date(2025, 3, 14)
SEALED = "v1:c2VhbGVk"
"""A personal record as the log holds it once sealed."""


def given(evolve: Callable[[S, DomainEvent], S], initial: S, *events: DomainEvent) -> S:
    state = initial
    for event in events:
        state = evolve(state, event)
    return state


def refused(code: str, fn: Callable[[], Any]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        fn()
    assert caught.value.code == code, caught.value.body()
    return caught.value


def register_cmd(**overrides: Any) -> RegisterHousehold:
    body: dict[str, Any] = {
        "no_kk": "3520050101080001",
        "nik": "3520054101900001",
        "name": "Sulastri Wahyuningsih",
        "desa": BALEREJO,
        "address": "Dusun Krajan RT 01 RW 02",
        "desil": 2,
        "registry": "DTSEN",
        "snapshot_date": "2025-01-15",
        "aid": [],
    }
    return RegisterHousehold.model_validate(body | overrides)


def registered(
    household_id: str = "h1", desa: str = BALEREJO, desil: int = 2, aid: list[Aid] | None = None
) -> HouseholdRegistered:
    return HouseholdRegistered(
        household_id=household_id,
        desa=desa,
        desil=desil,
        registry=Registry.DTSEN,
        snapshot_date=date(2025, 1, 15),
        aid=aid or [],
        personal=SEALED,
    )
