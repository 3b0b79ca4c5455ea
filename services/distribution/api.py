"""The distribution service's table: each command and query type and the function serving it,
and the checks of a household's or a round's path, before the body: an unknown id is 404
(403 for an operator, who may not learn what exists outside its desa), whatever the body."""

from __future__ import annotations

from services.distribution import (
    aidimport,
    documents,
    evidence,
    handlers,
    imports,
    kabupaten,
    packages,
    queries,
    reports,
    rounds,
)
from services.distribution.aggregates import HOUSEHOLD, LEDGER
from services.distribution.deps import Deps
from services.distribution.scope import path_id, unknown
from shared.contracts import distribution as c
from shared.contracts import documents as d
from shared.contracts import kabupaten as k
from shared.edge.kit import Api, Ctx
from shared.errors import NotFound
from shared.events.distribution import SERVICE, household_ref, ledger_ref


async def known_household(ctx: Ctx[Deps]) -> None:
    """The household of the path, of the caller's desa."""
    household_id = path_id(ctx, "household")
    ref = household_ref(ctx.tenant, household_id)
    loaded = await ctx.rt.runner.known(HOUSEHOLD, ref, lambda state: state is not None)
    if loaded.state is None:
        raise unknown(ctx, "household", household_id)
    ctx.require_desa(loaded.state.desa)


async def known_round(ctx: Ctx[Deps]) -> None:
    """The round of the path, of the caller's desa."""
    round_id = path_id(ctx, "round")
    ref = ledger_ref(ctx.tenant)
    ledger = (await ctx.rt.runner.known(LEDGER, ref, lambda s: round_id in s.rounds)).state
    rounds.require_round_desa(ctx, ledger, round_id)
    if round_id not in ledger.rounds:
        raise NotFound("round", round_id)


API = Api[Deps](
    SERVICE,
    {
        c.RegisterHousehold: handlers.register_household,
        c.ImportHouseholds: imports.import_households,
        c.ChangeAid: handlers.change_aid,
        c.ForgetHousehold: handlers.forget_household,
        c.ChangeHousehold: handlers.change_household,
        c.ImportAid: aidimport.import_aid,
        c.OpenRound: rounds.open_round,
        c.HandOutPackage: rounds.hand_out_package,
        c.CloseRound: rounds.close_round,
        c.HouseholdQuery: queries.household_get,
        c.HouseholdMembersQuery: queries.household_members,
        c.HouseholdsQuery: queries.households,
        c.SuggestionsQuery: queries.round_suggestions,
        c.RoundsQuery: reports.rounds,
        d.ExportRecipients: documents.export_recipients,
        c.RoundsDueQuery: reports.rounds_due,
        c.StockQuery: packages.stock,
        c.PackageQuery: packages.package_get,
        c.PackagesQuery: packages.packages,
        c.AdjustStock: rounds.adjust_stock,
        c.AttachEvidence: evidence.attach_evidence,
        c.DistributionQuery: reports.distribution,
        c.SummaryQuery: reports.summary,
        k.DistributionKabupaten: kabupaten.kabupaten_summary,
    },
    paths={
        c.ChangeAid: known_household,
        c.ForgetHousehold: known_household,
        c.ChangeHousehold: known_household,
        c.HandOutPackage: known_round,
        c.CloseRound: known_round,
        c.AttachEvidence: evidence.known_package,
    },
)
