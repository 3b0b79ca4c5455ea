"""The scheduler service's table: each command and query type and the function serving it,
and the check of an activity's path: an unknown activity is 404 whatever the body."""

from __future__ import annotations

from services.scheduler import handlers, kabupaten, queries
from services.scheduler.deps import Deps
from shared.contracts import kabupaten as k
from shared.contracts import scheduler as c
from shared.edge.kit import Api, Ctx
from shared.events.scheduler import SERVICE, rota_ref


async def known_activity(ctx: Ctx[Deps]) -> None:
    """The activity of the path; 404 unless the kecamatan's rota holds it."""
    rota = await ctx.deps.runner.known(
        handlers.ROTA, rota_ref(ctx.tenant), lambda state: ctx.raw_id in state.activities
    )
    rota.state.find(ctx.raw_id)


API = Api[Deps](
    SERVICE,
    {
        c.ConfigureKecamatan: handlers.configure_kecamatan,
        c.KecamatanQuery: queries.kecamatan,
        c.ScheduleMonth: handlers.schedule_month,
        c.ActivitiesQuery: queries.activities,
        c.HoldActivity: handlers.hold_activity,
        c.CancelActivity: handlers.cancel_activity,
        c.RescheduleActivity: handlers.reschedule_activity,
        c.SummaryQuery: queries.summary,
        c.ExecutionRateQuery: queries.execution_rate,
        c.AttendanceQuery: queries.attendance,
        c.RotationQuery: queries.rotation,
        k.SchedulerKabupaten: kabupaten.kabupaten_summary,
    },
    before_setup=frozenset({c.ConfigureKecamatan, c.KecamatanQuery}),
    paths={
        c.HoldActivity: known_activity,
        c.CancelActivity: known_activity,
        c.RescheduleActivity: known_activity,
    },
)
