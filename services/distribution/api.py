"""The distribution service's table: each command and query type and the function serving it."""

from __future__ import annotations

from services.distribution import handlers, queries, reports, rounds
from services.distribution.deps import Deps
from shared.contracts import distribution as c
from shared.events.distribution import SERVICE
from shared.kit import Api

API = Api[Deps](
    SERVICE,
    {
        c.RegisterHousehold: handlers.register_household,
        c.ImportHouseholds: handlers.import_households,
        c.ChangeAid: handlers.change_aid,
        c.ForgetHousehold: handlers.forget_household,
        c.OpenRound: rounds.open_round,
        c.HandOutPackage: rounds.hand_out_package,
        c.CloseRound: rounds.close_round,
        c.HouseholdQuery: queries.household_get,
        c.HouseholdsQuery: queries.households,
        c.SuggestionsQuery: queries.round_suggestions,
        c.RoundsQuery: reports.rounds,
        c.RoundsDueQuery: reports.rounds_due,
        c.StockQuery: reports.stock,
        c.DistributionQuery: reports.distribution,
        c.SummaryQuery: reports.summary,
    },
)
