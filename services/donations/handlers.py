"""One async function per command: the fund's rules as of now, decide, append."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from services.donations.deps import Deps
from services.donations.domain import (
    FUND,
    Rules,
    decide_close,
    decide_expense,
    decide_procure,
    decide_receive,
    decide_void,
    parse_period,
)
from shared.contracts.donations import (
    ClosePeriod,
    DonationReceipt,
    DonationRef,
    ExpenseReceipt,
    PeriodClosing,
    ProcurementRef,
    ProcurePackages,
    ReceiveDonation,
    RecordExpense,
    VoidDonation,
)
from shared.edge.kit import Ctx, Written
from shared.events.base import DomainEvent
from shared.events.donations import (
    DonationReceived,
    DonationVoided,
    ExpenseRecorded,
    PackagesProcured,
    PeriodClosed,
    fund_ref,
)
from shared.log.aggregate import Outcome
from shared.log.reader import StoredEvent

NAMESPACE = uuid.UUID("5b1f7a64-2c0e-4f7e-9d3a-8e6c1b2a9f40")
E = TypeVar("E", bound=DomainEvent)


def derived_id(kind: str, command_id: str) -> str:
    """A new id fixed by the command id, so a retried command targets the same thing."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{command_id}"))


def rules(ctx: Ctx[Deps]) -> Rules:
    """The kecamatan's units, today in Jakarta and the configured ceiling."""
    return Rules(ctx.today, tuple(ctx.setup.units), ctx.deps.settings.max_donation_idr)


def only(out: Outcome[Any], kind: type[E]) -> E:
    event = out.events[0].event
    if not isinstance(event, kind):
        raise TypeError(f"expected {kind.__name__}, the log holds {type(event).__name__}")
    return event


async def receive_donation(cmd: ReceiveDonation, ctx: Ctx[Deps]) -> Written[DonationReceipt]:
    given, donation_id = rules(ctx), derived_id("donation", ctx.command_id)
    out = await ctx.deps.runner.execute(
        FUND,
        fund_ref(ctx.tenant),
        ctx.meta,
        lambda fund: decide_receive(fund, cmd, given, donation_id=donation_id),
    )
    event = only(out, DonationReceived)
    receipt = DonationReceipt(donation_id=event.donation_id, receipt_no=event.receipt_no)
    return Written(receipt, out.position, created=True)


async def void_donation(cmd: VoidDonation, ctx: Ctx[Deps]) -> Written[DonationRef]:
    given, donation_id = rules(ctx), ctx.raw_id
    out = await ctx.deps.runner.execute(
        FUND,
        fund_ref(ctx.tenant),
        ctx.meta,
        lambda fund: decide_void(fund, cmd, given, donation_id=donation_id),
    )
    event = only(out, DonationVoided)
    return Written(DonationRef(donation_id=event.donation_id), out.position)


async def procure_packages(cmd: ProcurePackages, ctx: Ctx[Deps]) -> Written[ProcurementRef]:
    given = rules(ctx)
    procurement_id = derived_id("procurement", ctx.command_id)
    out = await ctx.deps.runner.execute(
        FUND,
        fund_ref(ctx.tenant),
        ctx.meta,
        lambda fund: decide_procure(fund, cmd, given, procurement_id=procurement_id),
    )
    event = only(out, PackagesProcured)
    return Written(ProcurementRef(procurement_id=event.procurement_id), out.position, created=True)


async def record_expense(cmd: RecordExpense, ctx: Ctx[Deps]) -> Written[ExpenseReceipt]:
    given, expense_id = rules(ctx), derived_id("expense", ctx.command_id)
    out = await ctx.deps.runner.execute(
        FUND,
        fund_ref(ctx.tenant),
        ctx.meta,
        lambda fund: decide_expense(fund, cmd, given, expense_id=expense_id),
    )
    event = only(out, ExpenseRecorded)
    receipt = ExpenseReceipt(expense_id=event.expense_id, receipt_no=event.receipt_no)
    return Written(receipt, out.position, created=True)


async def close_period(cmd: ClosePeriod, ctx: Ctx[Deps]) -> Written[PeriodClosing]:
    """Close the month of the path; closing it again answers the first closing, at the
    position it was reached."""
    year, month = parse_period(ctx.raw_id, rules(ctx))
    ref = fund_ref(ctx.tenant)
    out = await ctx.deps.runner.execute(
        FUND, ref, ctx.meta, lambda fund: decide_close(fund, year, month)
    )
    closed = out.events or await _closing_of(ctx, f"{year:04d}-{month:02d}")
    event = closed[0].event
    if not isinstance(event, PeriodClosed):
        raise TypeError(f"expected PeriodClosed, the log holds {type(event).__name__}")
    reply = PeriodClosing(period=event.period, closing_idr=event.closing_idr)
    return Written(reply, closed[0].seq)


async def _closing_of(ctx: Ctx[Deps], period: str) -> tuple[StoredEvent, ...]:
    """The stored event that closed `period`, from the fund the runner has just read."""
    loaded = await ctx.deps.runner.known(FUND, fund_ref(ctx.tenant), lambda f: period in f.closed)
    return tuple(
        stored
        for done in loaded.by_command.values()
        for stored in done
        if isinstance(stored.event, PeriodClosed) and stored.event.period == period
    )
