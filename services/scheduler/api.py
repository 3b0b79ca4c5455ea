"""The scheduler's NATS request-reply edge: one subscriber per RPC name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from faststream.nats import NatsRouter

from services.scheduler import handlers, queries
from shared.events.scheduler import SERVICE
from shared.rpc import RpcReply, RpcRequest, answer, subscribe
from shared.runtime import Runtime

Handler = Callable[[Runtime, RpcRequest], Awaitable[RpcReply]]

ROUTES: dict[str, Handler] = {
    "kecamatan_put": handlers.configure_kecamatan,
    "kecamatan_get": queries.kecamatan,
    "schedule": handlers.schedule_month,
    "activities": queries.activities,
    "activity_held": handlers.hold_activity,
    "activity_cancel": handlers.cancel_activity,
    "activity_reschedule": handlers.reschedule_activity,
    "summary": queries.summary,
    "execution_rate": queries.execution_rate,
    "attendance": queries.attendance,
    "rotation": queries.rotation,
}


def build_router(rt: Runtime) -> NatsRouter:
    router = NatsRouter()
    for name, handler in ROUTES.items():
        _route(router, rt, name, handler)
    return router


def _route(router: NatsRouter, rt: Runtime, name: str, handler: Handler) -> None:
    async def endpoint(req: RpcRequest) -> RpcReply:
        async def work() -> RpcReply:
            await rt.wait_for(req.tenant.kab, req.wait_for)
            return await handler(rt, req)

        return await answer(work)

    endpoint.__name__ = f"scheduler_{name}"
    subscribe(router, rt.settings.served_kabupaten(), SERVICE, name, endpoint)
