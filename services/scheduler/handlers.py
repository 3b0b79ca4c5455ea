"""Command handlers: load the aggregate, decide, append conditionally, answer."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from services.scheduler import domain
from services.scheduler.commands import (
    CancelActivity,
    ConfigureKecamatan,
    HoldActivity,
    RescheduleActivity,
    ScheduleMonth,
)
from services.scheduler.rota import days_off
from services.scheduler.state import Rota, Setup, evolve_rota, evolve_setup
from shared.aggregate import AggregateType
from shared.errors import NotFound
from shared.events.base import DomainEvent
from shared.events.scheduler import (
    KECAMATAN_AGGREGATE,
    ROTA_AGGREGATE,
    SERVICE,
    kecamatan_ref,
    rota_ref,
)
from shared.rpc import RpcReply, RpcRequest
from shared.runtime import Runtime
from shared.tenancy import Tenant

SETUP = AggregateType[Setup | None](SERVICE, KECAMATAN_AGGREGATE, lambda: None, evolve_setup)
ROTA = AggregateType[Rota](SERVICE, ROTA_AGGREGATE, Rota, evolve_rota)


async def load_setup(rt: Runtime, tenant: Tenant) -> Setup:
    """The kecamatan's current set-up from the log; 404 when it was never configured."""
    setup = (await rt.runner.load(SETUP, kecamatan_ref(tenant))).state
    if setup is None:
        raise NotFound("Kecamatan", tenant.kec_dotted)
    return setup


def days_off_around(setup: Setup, year: int) -> dict[date, str]:
    """Days off of `year` and the year before (a January week may start in December)."""
    return days_off((year - 1, year), setup.days_off)


async def configure_kecamatan(rt: Runtime, req: RpcRequest) -> RpcReply:
    cmd = ConfigureKecamatan.model_validate(req.body)
    tenant = req.tenant
    out = await rt.runner.execute(
        SETUP,
        kecamatan_ref(tenant),
        req.meta,
        lambda setup: domain.configure(setup, cmd, tenant.kec_dotted),
    )
    assert out.state is not None
    created = bool(out.events) and out.events[0].envelope.aggregate_version == 1
    return RpcReply(status=201 if created else 200, position=out.position, data=out.state.answer())


async def schedule_month(rt: Runtime, req: RpcRequest) -> RpcReply:
    cmd = ScheduleMonth.model_validate(req.body)
    setup = await load_setup(rt, req.tenant)
    off = days_off_around(setup, cmd.year)
    out = await rt.runner.execute(
        ROTA, rota_ref(req.tenant), req.meta, lambda rota: domain.schedule(rota, cmd, setup, off)
    )
    activities = [a.answer() for a in out.state.month(cmd.year, cmd.month)]
    status = 201 if out.events else 200
    return RpcReply(status=status, position=out.position, data={"activities": activities})


async def hold_activity(rt: Runtime, req: RpcRequest) -> RpcReply:
    cmd = HoldActivity.model_validate(req.body)
    return await _change(rt, req, lambda rota, ident: domain.hold(rota, ident, cmd))


async def cancel_activity(rt: Runtime, req: RpcRequest) -> RpcReply:
    cmd = CancelActivity.model_validate(req.body)
    return await _change(rt, req, lambda rota, ident: domain.cancel(rota, ident, cmd))


async def reschedule_activity(rt: Runtime, req: RpcRequest) -> RpcReply:
    cmd = RescheduleActivity.model_validate(req.body)
    off = days_off_around(await load_setup(rt, req.tenant), cmd.date.year)
    return await _change(rt, req, lambda rota, ident: domain.reschedule(rota, ident, cmd, off))


async def _change(
    rt: Runtime, req: RpcRequest, decide: Callable[[Rota, str], Sequence[DomainEvent]]
) -> RpcReply:
    """A command on one activity (`params.id`): answers the activity as it then stands.
    An unknown id, or a kecamatan never configured (an empty rota), is 404."""
    ident = str(req.params.get("id", ""))
    out = await rt.runner.execute(
        ROTA, rota_ref(req.tenant), req.meta, lambda rota: decide(rota, ident)
    )
    return RpcReply(position=out.position, data=out.state.find(ident).answer())
