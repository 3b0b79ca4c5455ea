"""The NATS request-reply edge: parse -> command or query -> answer (errors mapped)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from faststream.nats import NatsRouter

from services.distribution import handlers, queries, reports
from services.distribution.commands import YearQuery
from services.distribution.handlers import Service, path_id
from shared.clock import jakarta_today
from shared.events.distribution import SERVICE
from shared.rpc import RpcReply, RpcRequest, answer, subscribe

Handler = Callable[[Service, RpcRequest], Awaitable[RpcReply]]


def year_of(req: RpcRequest) -> int:
    return YearQuery.model_validate({"year": req.params.get("year")}).year


async def household_get(svc: Service, req: RpcRequest) -> RpcReply:
    found = await queries.household(
        svc.rt, req.tenant, path_id(req, "household"), jakarta_today(), svc.excluding
    )
    return RpcReply(data=found)


async def households(svc: Service, req: RpcRequest) -> RpcReply:
    desa = req.params.get("desa")
    return RpcReply(
        data=await queries.households(
            svc.rt, req.tenant, str(desa) if desa else None, jakarta_today(), svc.excluding
        )
    )


async def round_suggestions(svc: Service, req: RpcRequest) -> RpcReply:
    return RpcReply(
        data=await queries.suggestions(
            svc.rt, req.tenant, path_id(req, "round"), jakarta_today(), svc.excluding
        )
    )


async def distribution(svc: Service, req: RpcRequest) -> RpcReply:
    return RpcReply(
        data=await reports.distribution(
            svc.rt, req.tenant, year_of(req), jakarta_today(), svc.excluding
        )
    )


async def summary(svc: Service, req: RpcRequest) -> RpcReply:
    return RpcReply(data=await reports.summary(svc.rt, req.tenant, year_of(req)))


async def stock(svc: Service, req: RpcRequest) -> RpcReply:
    return RpcReply(data=await reports.stock(svc.rt, req.tenant))


async def rounds(svc: Service, req: RpcRequest) -> RpcReply:
    year = year_of(req) if req.params.get("year") is not None else None
    return RpcReply(data=await reports.rounds(svc.rt, req.tenant, year))


async def rounds_due(svc: Service, req: RpcRequest) -> RpcReply:
    return RpcReply(data=await reports.rounds_due(svc.rt, req.tenant))


COMMANDS: dict[str, Handler] = {
    "household_register": handlers.register_household,
    "household_import": handlers.import_households,
    "household_aid": handlers.change_aid,
    "household_forget": handlers.forget_household,
    "round_open": handlers.open_round,
    "package_hand_out": handlers.hand_out_package,
    "round_close": handlers.close_round,
}
QUERIES: dict[str, Handler] = {
    "household_get": household_get,
    "households": households,
    "round_suggestions": round_suggestions,
    "rounds": rounds,
    "rounds_due": rounds_due,
    "stock": stock,
    "distribution": distribution,
    "summary": summary,
}


def _endpoint(
    svc: Service, name: str, handler: Handler, *, query: bool
) -> Callable[[RpcRequest], Awaitable[RpcReply]]:
    """Catch up to `wait_for`, answer 404 for a kecamatan never configured, then handle."""

    async def endpoint(req: RpcRequest) -> RpcReply:
        async def work() -> RpcReply:
            await svc.rt.wait_for(req.tenant.kab, req.wait_for)
            if query:
                await queries.ensure_kecamatan(svc.rt, req.tenant)
            return await handler(svc, req)

        return await answer(work)

    endpoint.__name__ = endpoint.__qualname__ = f"distribution_{name}"
    return endpoint


def build_router(svc: Service) -> NatsRouter:
    router = NatsRouter()
    for routes, query in ((COMMANDS, False), (QUERIES, True)):
        for name, handler in routes.items():
            endpoint = _endpoint(svc, name, handler, query=query)
            subscribe(router, svc.rt.settings.served_kabupaten(), SERVICE, name, endpoint)
    return router
