"""One async function per command: load the aggregate, decide, append, answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from services.scheduler import domain
from services.scheduler.deps import Deps
from services.scheduler.rota import days_off
from services.scheduler.state import Rota, Setup, evolve_rota, evolve_setup
from shared.contracts.scheduler import (
    Activities,
    Activity,
    CancelActivity,
    ConfigureKecamatan,
    HoldActivity,
    Kecamatan,
    RescheduleActivity,
    ScheduleMonth,
)
from shared.edge.kit import Ctx, Written
from shared.events.base import DomainEvent
from shared.events.scheduler import (
    KECAMATAN_AGGREGATE,
    ROTA_AGGREGATE,
    SERVICE,
    kecamatan_ref,
    rota_ref,
)
from shared.log.aggregate import AggregateType

SETUP = AggregateType[Setup | None](SERVICE, KECAMATAN_AGGREGATE, lambda: None, evolve_setup)
ROTA = AggregateType[Rota](SERVICE, ROTA_AGGREGATE, Rota, evolve_rota)


def days_off_around(setup: Setup, year: int) -> dict[date, str]:
    """Days off of `year` and the year before (a January week may start in December)."""
    return days_off((year - 1, year), setup.days_off)


async def configure_kecamatan(cmd: ConfigureKecamatan, ctx: Ctx[Deps]) -> Written[Kecamatan]:
    kecamatan = ctx.tenant.kec_dotted
    out = await ctx.deps.runner.execute(
        SETUP,
        kecamatan_ref(ctx.tenant),
        ctx.meta,
        lambda setup: domain.configure(setup, cmd, kecamatan),
    )
    if out.state is None:
        raise RuntimeError("a configured kecamatan has a set-up")
    created = bool(out.events) and out.events[0].envelope.aggregate_version == 1
    return Written(out.state.reply(), out.position, created=created)


async def schedule_month(cmd: ScheduleMonth, ctx: Ctx[Deps]) -> Written[Activities]:
    setup = Setup.of(ctx.setup)
    off = days_off_around(setup, cmd.year)
    out = await ctx.deps.runner.execute(
        ROTA, rota_ref(ctx.tenant), ctx.meta, lambda rota: domain.schedule(rota, cmd, setup, off)
    )
    month = [a.reply() for a in out.state.month(cmd.year, cmd.month)]
    return Written(Activities(activities=month), out.position, created=bool(out.events))


async def hold_activity(cmd: HoldActivity, ctx: Ctx[Deps]) -> Written[Activity]:
    domain.check_held_on(cmd, ctx.today)
    return await _change(ctx, lambda rota, ident: domain.hold(rota, ident, cmd))


async def cancel_activity(cmd: CancelActivity, ctx: Ctx[Deps]) -> Written[Activity]:
    return await _change(ctx, lambda rota, ident: domain.cancel(rota, ident, cmd))


async def reschedule_activity(cmd: RescheduleActivity, ctx: Ctx[Deps]) -> Written[Activity]:
    off = days_off_around(Setup.of(ctx.setup), cmd.date.year)
    return await _change(ctx, lambda rota, ident: domain.reschedule(rota, ident, cmd, off))


async def _change(
    ctx: Ctx[Deps], decide: Callable[[Rota, str], Sequence[DomainEvent]]
) -> Written[Activity]:
    """A command on the activity of the path: answers it as it then stands (404 unknown)."""
    ident = ctx.raw_id
    out = await ctx.deps.runner.execute(
        ROTA, rota_ref(ctx.tenant), ctx.meta, lambda rota: decide(rota, ident)
    )
    return Written(out.state.find(ident).reply(), out.position)
