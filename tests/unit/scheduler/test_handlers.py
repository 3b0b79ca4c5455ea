"""The scheduler handlers on the in-memory fakes: what they answer, append and refuse, and
the kit's edge judging an activity's path before its body."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import Any

import pytest

from services.scheduler import handlers
from services.scheduler.api import API
from services.scheduler.deps import Deps
from services.scheduler.queries import Queries
from shared.contracts.scheduler import (
    Activities,
    Activity,
    ActivityStatus,
    CancelActivity,
    ConfigureKecamatan,
    HoldActivity,
    RescheduleActivity,
    ScheduleMonth,
)
from shared.edge.kit import Ctx, Written
from shared.edge.rpc import RpcReply, RpcRequest, Scope
from shared.errors import DomainError
from shared.events.scheduler import (
    ActivityCancelled,
    ActivityHeld,
    ActivityKind,
    ActivityRescheduled,
    ActivityScheduled,
    DayOff,
    KecamatanConfigured,
    kecamatan_ref,
    rota_ref,
)
from shared.log.aggregate import CommandRunner
from shared.tenancy import Tenant
from tests.fakes import FakeRuntime, call_edge, configure, ctx_for, fake_runtime

pytestmark = pytest.mark.unit

TENANT = Tenant("3520", "352005")
NEIGHBOUR = Tenant("3520", "352006")
TODAY = date(2024, 3, 31)
BALEREJO, KAWEDANAN, SUMBEREJO = "35.20.05.2001", "35.20.05.2002", "35.20.05.2003"
NYEPI, SATURDAY = date(2024, 3, 11), date(2024, 3, 9)


def deps_over(rt: FakeRuntime) -> Deps:
    """A new runner (no cache: another replica) and the read models, which no handler uses."""
    return Deps(runner=CommandRunner(rt.store), queries=Queries(rt.pool, rt.schema))


class Fixture:
    """A fake runtime, the scheduler's deps over it and the kecamatan set up."""

    def __init__(self, rt: FakeRuntime, setup: KecamatanConfigured | None) -> None:
        self.rt, self.setup, self.deps = rt, setup, deps_over(rt)

    def ctx(self, body: Any = None, tenant: Tenant = TENANT, **kw: Any) -> Ctx[Deps]:
        given: dict[str, Any] = {"kecamatan": self.setup, "today": TODAY, **kw}
        return ctx_for(self.rt, self.deps, kab=tenant.kab, kec=tenant.kec, body=body, **given)

    def log(self) -> int:
        return len(self.rt.memory.events(TENANT.kab))

    def rota(self, tenant: Tenant = TENANT) -> list[Any]:
        return [e.event for e in self.rt.memory.of(rota_ref(tenant))]

    def again(self) -> Fixture:
        """The same log served by another replica: a runner with no cache."""
        return Fixture(self.rt, self.setup)

    async def edge(self, message: type[Any], **kw: Any) -> RpcReply:
        req = RpcRequest(kab=TENANT.kab_dotted, kec=TENANT.kec_dotted, **kw)
        return await call_edge(self.rt, API, self.deps, message, req)


@pytest.fixture
async def fx() -> Fixture:
    rt = fake_runtime()
    return Fixture(rt, await configure(rt.store, TENANT))


async def schedule(fx: Fixture, month: int = 3, **kw: Any) -> Written[Activities]:
    body = {"year": 2024, "month": month}
    return await handlers.schedule_month(ScheduleMonth.model_validate(body), fx.ctx(body, **kw))


async def march(fx: Fixture) -> dict[tuple[ActivityKind, int], str]:
    """March 2024 scheduled: activity ids by (kind, day of the month)."""
    written = await schedule(fx)
    return {(a.kind, a.date.day): a.id for a in written.reply.activities}


def attended(on: date, officials: int = 12, residents: int = 40) -> dict[str, Any]:
    return {
        "held_on": on.isoformat(),
        "attendance": {"officials": officials, "residents": residents},
    }


async def hold(fx: Fixture, ident: str, body: dict[str, Any], **kw: Any) -> Written[Activity]:
    ctx = fx.ctx(body, params={"id": ident}, **kw)
    return await handlers.hold_activity(HoldActivity.model_validate(body), ctx)


async def cancel(fx: Fixture, ident: str, **kw: Any) -> Written[Activity]:
    body = {"reason": "Hujan deras"}
    ctx = fx.ctx(body, params={"id": ident}, **kw)
    return await handlers.cancel_activity(CancelActivity.model_validate(body), ctx)


async def move(fx: Fixture, ident: str, to: date, **kw: Any) -> Written[Activity]:
    body = {"date": to.isoformat(), "reason": "Kepala desa berhalangan"}
    ctx = fx.ctx(body, params={"id": ident}, **kw)
    return await handlers.reschedule_activity(RescheduleActivity.model_validate(body), ctx)


async def refused(code: str, status: int, call: Awaitable[Any]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        await call
    assert (caught.value.code, caught.value.status) == (code, status)
    return caught.value


def kecamatan_body(**overrides: Any) -> dict[str, Any]:
    desa = [{"code": c, "name": n} for c, n in ((BALEREJO, "Balerejo"), (KAWEDANAN, "Kawedanan"))]
    return {"name": "Kawedanan", "desa": desa, "units": ["Kantor Kecamatan"], **overrides}


async def put_kecamatan(fx: Fixture, body: dict[str, Any]) -> Written[Any]:
    cmd = ConfigureKecamatan.model_validate(body)
    return await handlers.configure_kecamatan(cmd, fx.ctx(body, kecamatan=None))


# -- the kecamatan's set-up ------------------------------------------------------------------


async def test_a_first_set_up_is_created_an_identical_one_appends_nothing() -> None:
    fx = Fixture(fake_runtime(), None)
    first = await put_kecamatan(fx, kecamatan_body())
    assert (first.created, first.position) == (True, 1)
    assert first.reply.model_dump(mode="json") == {
        "code": "35.20.05",
        "name": "Kawedanan",
        "desa": [{"code": BALEREJO, "name": "Balerejo"}, {"code": KAWEDANAN, "name": "Kawedanan"}],
        "units": ["Kantor Kecamatan"],
    }
    [stored] = fx.rt.memory.of(kecamatan_ref(TENANT))
    assert isinstance(stored.event, KecamatanConfigured)
    same = await put_kecamatan(fx, kecamatan_body())
    assert (same.created, same.position, same.reply) == (False, 1, first.reply)
    changed = await put_kecamatan(fx, kecamatan_body(units=["Kantor Kecamatan", "Puskesmas"]))
    assert (changed.created, changed.position) == (False, 2)
    assert changed.reply.units == ["Kantor Kecamatan", "Puskesmas"]
    assert fx.log() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "35.20.06"}, "code"),
        ({"desa": [{"code": "35.20.06.2001", "name": "Lain"}]}, "desa.0.code"),
        (
            {"desa": [{"code": BALEREJO, "name": "Balerejo"}, {"code": BALEREJO, "name": "B"}]},
            "desa.1.code",
        ),
    ],
)
async def test_a_set_up_outside_the_kecamatan_is_refused_by_field(
    fx: Fixture, overrides: dict[str, Any], field: str
) -> None:
    error = await refused("INVALID", 422, put_kecamatan(fx, kecamatan_body(**overrides)))
    assert error.field == field
    assert error.message != error.message_en
    assert fx.log() == 1  # the set-up `configure` made, alone


async def test_the_set_up_is_served_before_the_kecamatan_exists_and_nothing_else_is() -> None:
    fx = Fixture(fake_runtime(), None)
    early = await fx.edge(ScheduleMonth, body={"year": 2024, "month": 3})
    assert (early.status, early.error and early.error["code"]) == (404, "NOT_FOUND")
    put = await fx.edge(ConfigureKecamatan, body=kecamatan_body())
    assert (put.status, put.position, put.data["code"]) == (201, 1, "35.20.05")
    scheduled = await fx.edge(ScheduleMonth, body={"year": 2024, "month": 3})
    assert (scheduled.status, scheduled.position) == (201, 9)
    assert len(scheduled.data["activities"]) == 8


# -- scheduling --------------------------------------------------------------------------------


async def test_scheduling_a_month_appends_its_rota_once(fx: Fixture) -> None:
    first = await schedule(fx)
    assert first.created
    activities = first.reply.activities
    assert [(a.date.day, a.kind) for a in activities] == [
        (1, ActivityKind.SENAM),
        (5, ActivityKind.SERASA_DESA),
        (8, ActivityKind.JALAN_JALAN),
        (12, ActivityKind.SERASA_DESA),
        (15, ActivityKind.BERSIH_BERSIH),
        (19, ActivityKind.SERASA_DESA),
        (22, ActivityKind.SHOLAWATAN_BERBAGI),
        (26, ActivityKind.SERASA_DESA),
    ]
    serasa = [a.host_desa for a in activities if a.kind is ActivityKind.SERASA_DESA]
    assert serasa == [BALEREJO, None, KAWEDANAN, SUMBEREJO], "12 March 2024 is cuti bersama"
    fridays = [a.host_desa for a in activities if a.kind is not ActivityKind.SERASA_DESA]
    assert fridays == [BALEREJO, KAWEDANAN, SUMBEREJO, BALEREJO], "one shared rotation"
    skipped = [a.date.day for a in activities if a.status is ActivityStatus.SKIPPED]
    assert skipped == [12]
    stored = fx.rota()
    assert all(isinstance(e, ActivityScheduled) for e in stored)
    assert sorted(e.activity_id for e in stored) == sorted(a.id for a in activities)
    assert first.position == fx.log() == 1 + len(activities)
    again = await schedule(fx)
    assert (again.created, again.position, again.reply) == (False, first.position, first.reply)
    assert fx.log() == 1 + len(activities)


async def test_a_day_off_skips_an_activity_which_then_refuses_everything(fx: Fixture) -> None:
    off = [
        DayOff(date=date(2024, 3, 4), name="Hari Jadi"),
        DayOff(date=date(2024, 3, 5), name="Cuti"),
    ]
    fx.setup = await configure(fx.rt.store, TENANT, days_off=off)
    ids = await march(fx)
    skipped = ids[(ActivityKind.SERASA_DESA, 5)]
    assert next(e for e in fx.rota() if e.activity_id == skipped).skipped
    before = fx.log()
    await refused("ACTIVITY_SKIPPED", 409, hold(fx, skipped, attended(date(2024, 3, 5))))
    await refused("ACTIVITY_SKIPPED", 409, cancel(fx, skipped))
    await refused("ACTIVITY_SKIPPED", 409, move(fx, skipped, date(2024, 3, 6)))
    assert fx.log() == before


# -- holding, cancelling, rescheduling ---------------------------------------------------------


async def test_holding_answers_the_activity_as_held_and_appends_its_attendance(
    fx: Fixture,
) -> None:
    ids = await march(fx)
    serasa = ids[(ActivityKind.SERASA_DESA, 19)]
    written = await hold(fx, serasa, {**attended(date(2024, 3, 20), 7, 65), "notes": "Balai desa"})
    assert not written.created
    assert (written.reply.id, written.reply.status) == (serasa, ActivityStatus.HELD)
    assert written.reply.host_desa == KAWEDANAN
    last = fx.rota()[-1]
    assert isinstance(last, ActivityHeld)
    assert (last.activity_id, last.held_on, last.date) == (
        serasa,
        date(2024, 3, 20),
        date(2024, 3, 19),
    )
    assert (last.officials, last.residents, last.notes) == (7, 65, "Balai desa")
    assert last.host_desa == KAWEDANAN
    assert written.position == fx.log()


async def test_cancelling_and_rescheduling_answer_the_activity_as_it_then_stands(
    fx: Fixture,
) -> None:
    ids = await march(fx)
    cancelled = await cancel(fx, ids[(ActivityKind.SENAM, 1)])
    assert cancelled.reply.status is ActivityStatus.CANCELLED
    assert isinstance(fx.rota()[-1], ActivityCancelled)
    moved = await move(fx, ids[(ActivityKind.SERASA_DESA, 19)], date(2024, 3, 20))
    assert (moved.reply.date, moved.reply.status) == (date(2024, 3, 20), ActivityStatus.SCHEDULED)
    last = fx.rota()[-1]
    assert isinstance(last, ActivityRescheduled)
    assert (last.from_date, last.date, last.reason) == (
        date(2024, 3, 19),
        date(2024, 3, 20),
        "Kepala desa berhalangan",
    )
    assert moved.position == fx.log()
    stay = await move(fx, ids[(ActivityKind.SERASA_DESA, 19)], date(2024, 3, 20))
    assert (stay.position, stay.reply) == (moved.position, moved.reply)
    assert moved.position == fx.log()


async def test_every_refusal_keeps_its_code_and_appends_nothing(fx: Fixture) -> None:
    ids = await march(fx)
    senam, walk = ids[(ActivityKind.SENAM, 1)], ids[(ActivityKind.JALAN_JALAN, 8)]
    serasa = ids[(ActivityKind.SERASA_DESA, 26)]
    await hold(fx, senam, attended(date(2024, 3, 1)))
    await cancel(fx, walk)
    before = fx.log()
    await refused("ALREADY_HELD", 409, hold(fx, senam, attended(date(2024, 3, 2))))
    await refused("ALREADY_HELD", 409, cancel(fx, senam))
    await refused("ALREADY_HELD", 409, move(fx, senam, date(2024, 3, 4)))
    await refused("ACTIVITY_CANCELLED", 409, hold(fx, walk, attended(date(2024, 3, 8))))
    await refused("ACTIVITY_CANCELLED", 409, move(fx, walk, date(2024, 3, 7)))
    await refused("NOT_FOUND", 404, hold(fx, "no-such-activity", attended(date(2024, 3, 8))))
    for call, field in (
        (hold(fx, serasa, attended(date(2024, 3, 18))), "held_on"),  # 8 days before
        (hold(fx, serasa, attended(date(2024, 3, 27)), today=date(2024, 3, 26)), "held_on"),
        (move(fx, serasa, date(2024, 4, 2)), "date"),  # another month
        (move(fx, serasa, SATURDAY), "date"),
        (move(fx, serasa, NYEPI), "date"),  # a national holiday
    ):
        assert (await refused("INVALID", 422, call)).field == field
    assert fx.log() == before


async def test_a_held_on_in_the_future_is_refused_whatever_the_window(fx: Fixture) -> None:
    ids = await march(fx)
    serasa = ids[(ActivityKind.SERASA_DESA, 26)]
    body = attended(date(2024, 3, 26))
    error = await refused("INVALID", 422, hold(fx, serasa, body, today=date(2024, 3, 25)))
    assert (error.field, error.message_en) == ("held_on", "held_on cannot be in the future")
    assert (await hold(fx, serasa, body, today=date(2024, 3, 26))).reply.status == "held"


async def test_a_retried_command_answers_its_first_answer_and_appends_once(fx: Fixture) -> None:
    ids = await march(fx)
    senam = ids[(ActivityKind.SENAM, 1)]
    first = await hold(fx, senam, attended(date(2024, 3, 1)), command_id="hold-1")
    await cancel(fx, ids[(ActivityKind.JALAN_JALAN, 8)])  # someone else's, in between
    retried = await hold(fx, senam, attended(date(2024, 3, 1)), command_id="hold-1")
    elsewhere = await hold(fx.again(), senam, attended(date(2024, 3, 1)), command_id="hold-1")
    assert retried == first
    assert elsewhere == first
    assert [type(e) for e in fx.rota()[8:]] == [ActivityHeld, ActivityCancelled]
    scheduled = await schedule(fx, 4, command_id="april")
    assert await schedule(fx.again(), 4, command_id="april") == scheduled


# -- the edge: the path before the body, the kecamatan as scope --------------------------------


@pytest.mark.parametrize(
    ("message", "body"),
    [
        (HoldActivity, {"held_on": "kemarin"}),
        (HoldActivity, [1]),
        (CancelActivity, {}),
        (RescheduleActivity, {"date": "2024-03-20", "alasan": "x"}),
    ],
)
async def test_an_unknown_activity_is_404_whatever_the_body(
    fx: Fixture, message: type[Any], body: Any
) -> None:
    await march(fx)
    before = fx.log()
    reply = await fx.edge(message, params={"id": "0190a3f4-0000-7000-8000-000000000000"}, body=body)
    assert (reply.status, reply.error and reply.error["code"]) == (404, "NOT_FOUND")
    assert fx.log() == before


async def test_a_known_activity_with_a_bad_body_is_422_naming_the_field(fx: Fixture) -> None:
    ids = await march(fx)
    senam = ids[(ActivityKind.SENAM, 1)]
    before = fx.log()
    for message, body, field in (
        (HoldActivity, attended(date(2024, 3, 1), officials=-1), "attendance.officials"),
        (HoldActivity, {**attended(date(2024, 3, 1)), "held_on": "01/03/2024"}, "held_on"),
        (CancelActivity, {"reason": " "}, "reason"),
        (RescheduleActivity, ["2024-03-04"], "body"),
    ):
        reply = await fx.edge(message, params={"id": senam}, body=body)
        assert (reply.status, reply.error and reply.error["field"]) == (422, field), body
    assert fx.log() == before
    held = await fx.edge(HoldActivity, params={"id": senam}, body=attended(date(2024, 3, 1)))
    assert (held.status, held.position, held.data["status"]) == (200, before + 1, "held")


async def test_another_kecamatans_activity_is_unknown_here(fx: Fixture) -> None:
    neighbour = await configure(fx.rt.store, NEIGHBOUR)
    theirs = await schedule(fx, tenant=NEIGHBOUR, kecamatan=neighbour)
    senam = theirs.reply.activities[0].id
    await march(fx)  # this kecamatan's own March: other ids
    before = fx.log()
    await refused("NOT_FOUND", 404, hold(fx, senam, attended(date(2024, 3, 1))))
    camat = Scope(role="camat", kab=TENANT.kab, kec=TENANT.kec)
    body = attended(date(2024, 3, 1))
    reply = await fx.edge(HoldActivity, params={"id": senam}, body=body, scope=camat)
    assert (reply.status, reply.error and reply.error["code"]) == (404, "NOT_FOUND")
    assert fx.log() == before
    assert not any(isinstance(e, ActivityHeld) for e in fx.rota(NEIGHBOUR))
