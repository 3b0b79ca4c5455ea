"""The distribution service's aggregates: one per household, one ledger per kecamatan."""

from __future__ import annotations

from services.distribution.domain import Household, evolve_household
from services.distribution.ledger import Ledger, evolve_ledger
from shared.events.distribution import HOUSEHOLD_AGGREGATE, LEDGER_AGGREGATE, SERVICE
from shared.log.aggregate import AggregateType

HOUSEHOLD = AggregateType[Household | None](
    SERVICE, HOUSEHOLD_AGGREGATE, lambda: None, evolve_household
)
LEDGER = AggregateType[Ledger](SERVICE, LEDGER_AGGREGATE, Ledger, evolve_ledger)
