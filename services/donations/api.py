"""The donations service's table: each command and query type and the function serving it,
and the check of a donation's path: an unknown donation is 404 whatever the body."""

from __future__ import annotations

from services.donations import documents, handlers, kabupaten, queries
from services.donations.deps import Deps
from services.donations.domain import FUND, DonationNotFound
from shared.contracts import documents as d
from shared.contracts import donations as c
from shared.contracts import kabupaten as k
from shared.edge.kit import Api, Ctx
from shared.events.donations import SERVICE, fund_ref


async def known_donation(ctx: Ctx[Deps]) -> None:
    """The donation of the path; 404 unless the kecamatan's fund holds it."""
    fund = await ctx.deps.runner.known(
        FUND, fund_ref(ctx.tenant), lambda state: ctx.raw_id in state.donations
    )
    if ctx.raw_id not in fund.state.donations:
        raise DonationNotFound(ctx.raw_id)


API = Api[Deps](
    SERVICE,
    {
        c.ReceiveDonation: handlers.receive_donation,
        c.VoidDonation: handlers.void_donation,
        c.ProcurePackages: handlers.procure_packages,
        c.RecordExpense: handlers.record_expense,
        c.ClosePeriod: handlers.close_period,
        c.CashbookQuery: queries.cashbook,
        c.CashbookDetailQuery: queries.cashbook_detail,
        c.PeriodsQuery: queries.periods,
        c.FundQuery: queries.fund,
        c.SummaryQuery: queries.summary,
        c.RecapQuery: queries.recap,
        c.UnitsQuery: queries.units,
        c.TransparencyQuery: queries.transparency,
        c.DonationsQuery: queries.donations,
        d.ReceiptQuery: documents.receipt,
        k.DonationsKabupaten: kabupaten.kabupaten_summary,
    },
    paths={c.VoidDonation: known_donation},
)
