"""The donations service's table: each command and query type and the function serving it."""

from __future__ import annotations

from services.donations import handlers, queries
from services.donations.deps import Deps
from shared.contracts import donations as c
from shared.events.donations import SERVICE
from shared.kit import Api

API = Api[Deps](
    SERVICE,
    {
        c.ReceiveDonation: handlers.receive_donation,
        c.VoidDonation: handlers.void_donation,
        c.ProcurePackages: handlers.procure_packages,
        c.FundQuery: queries.fund,
        c.SummaryQuery: queries.summary,
        c.RecapQuery: queries.recap,
        c.UnitsQuery: queries.units,
        c.TransparencyQuery: queries.transparency,
    },
)
