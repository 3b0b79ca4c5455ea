"""The scheduler service's table: each command and query type and the function serving it."""

from __future__ import annotations

from services.scheduler import handlers, queries
from services.scheduler.deps import Deps
from shared.contracts import scheduler as c
from shared.events.scheduler import SERVICE
from shared.kit import Api

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
    },
    before_setup=frozenset({c.ConfigureKecamatan, c.KecamatanQuery}),
)
