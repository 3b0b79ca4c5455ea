"""Round command handlers: open a desa's round, hand out its packages, close it; adjust
the stock those hand-outs draw on."""

from __future__ import annotations

from services.distribution.aggregates import HOUSEHOLD, LEDGER
from services.distribution.deps import Deps
from services.distribution.handlers import desa_codes, new_id
from services.distribution.ledger import (
    HandOut,
    Ledger,
    Lot,
    decide_adjust_stock,
    decide_close_round,
    decide_hand_out,
    decide_open_round,
)
from services.distribution.refusals import DistributionError
from services.distribution.scope import path_id
from shared.contracts.distribution import (
    AdjustmentRef,
    AdjustStock,
    CloseRound,
    HandOutPackage,
    OpenRound,
    PackageHandedOut,
    RoundRef,
)
from shared.edge.kit import Ctx, Written
from shared.events.base import DomainEvent
from shared.events.distribution import PackageDistributed, household_ref, ledger_ref
from shared.events.donations import PackagesProcured, fund_ref
from shared.keys import KeyShredded

PROCURED = frozenset({PackagesProcured.type_name()})


async def lots(ctx: Ctx[Deps]) -> list[Lot]:
    """The kecamatan's procured lots, in the order they were bought."""
    events = await ctx.rt.facts.events(fund_ref(ctx.tenant), PROCURED)
    return [
        Lot(e.procurement_id, e.packages, e.unit_price_idr)
        for e in events
        if isinstance(e, PackagesProcured)
    ]


def require_round_desa(ctx: Ctx[Deps], state: Ledger, round_id: str) -> None:
    """The round is of the caller's desa (an unknown round is of none)."""
    found = state.rounds.get(round_id)
    ctx.require_desa(found.desa if found else None)


async def open_round(cmd: OpenRound, ctx: Ctx[Deps]) -> Written[RoundRef]:
    ctx.require_desa(cmd.desa)
    codes, round_id = desa_codes(ctx.setup), new_id(ctx.command_id)
    out = await ctx.rt.runner.execute(
        LEDGER,
        ledger_ref(ctx.tenant),
        ctx.meta,
        lambda s: decide_open_round(s, round_id, cmd, codes),
    )
    return Written(RoundRef(round_id=round_id), out.position, created=True)


async def hand_out_package(cmd: HandOutPackage, ctx: Ctx[Deps]) -> Written[PackageHandedOut]:
    round_id, household_id = path_id(ctx, "round"), str(cmd.household_id)
    loaded = await ctx.rt.runner.load(HOUSEHOLD, household_ref(ctx.tenant, household_id))
    hand_out = HandOut(
        round_id=round_id,
        package_id=new_id(ctx.command_id),
        household_id=household_id,
        household=loaded.state,
        distributed_on=cmd.distributed_on,
        lots=await lots(ctx),
        kec=ctx.tenant.kec,
        today=ctx.today,
        received_by=cmd.received_by,
        excluding=ctx.deps.excluding,
    )

    def decide(state: Ledger) -> list[DomainEvent]:
        require_round_desa(ctx, state, round_id)
        return decide_hand_out(state, hand_out)

    try:
        out = await ctx.rt.runner.execute(LEDGER, ledger_ref(ctx.tenant), ctx.meta, decide)
    except KeyShredded:  # forgotten between its load and the sealing of the receiver's name
        raise DistributionError("HOUSEHOLD_FORGOTTEN", household_id=household_id) from None
    package = out.events[-1].event
    assert isinstance(package, PackageDistributed)
    assert package.bast_no is not None
    handed = PackageHandedOut(
        package_id=package.package_id, value_idr=package.value_idr, bast_no=package.bast_no
    )
    return Written(handed, out.position, created=True)


async def close_round(cmd: CloseRound, ctx: Ctx[Deps]) -> Written[RoundRef]:
    round_id = path_id(ctx, "round")

    def decide(state: Ledger) -> list[DomainEvent]:
        require_round_desa(ctx, state, round_id)
        return decide_close_round(state, round_id)

    out = await ctx.rt.runner.execute(LEDGER, ledger_ref(ctx.tenant), ctx.meta, decide)
    return Written(RoundRef(round_id=round_id), out.position)


async def adjust_stock(cmd: AdjustStock, ctx: Ctx[Deps]) -> Written[AdjustmentRef]:
    """Write packages off (or back) against the ledger the hand-outs draw on, so neither can
    take the stock below zero."""
    ctx.require_desa(None)  # a kecamatan's stock: no village operator
    adjustment_id, known_lots = new_id(ctx.command_id), await lots(ctx)
    out = await ctx.rt.runner.execute(
        LEDGER,
        ledger_ref(ctx.tenant),
        ctx.meta,
        lambda s: decide_adjust_stock(s, adjustment_id, cmd, known_lots, ctx.today),
    )
    return Written(AdjustmentRef(adjustment_id=adjustment_id), out.position, created=True)
