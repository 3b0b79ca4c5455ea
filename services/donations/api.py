"""The NATS request-reply edge: each RPC name bound to its handler, every error to a reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from faststream.nats import NatsRouter

from services.donations import handlers, reads
from services.donations.config import DonationsSettings
from services.donations.handlers import Deps
from shared.events.donations import SERVICE
from shared.rpc import RpcReply, RpcRequest, serve_table
from shared.runtime import Runtime

Handler = Callable[[Deps, RpcRequest], Awaitable[RpcReply]]

RPCS: dict[str, Handler] = {
    "donation_receive": handlers.receive_donation,
    "donation_void": handlers.void_donation,
    "procure": handlers.procure_packages,
    "fund": reads.fund,
    "summary": reads.summary,
    "recap": reads.recap,
    "units": reads.units,
    "transparency": reads.transparency,
}


def build_router(rt: Runtime, settings: DonationsSettings | None = None) -> NatsRouter:
    deps = Deps.build(rt, settings or DonationsSettings())
    router = NatsRouter()
    serve_table(router, rt.settings.served_kabupaten(), SERVICE, RPCS, deps)
    return router
