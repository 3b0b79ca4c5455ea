"""The NATS request-reply edge: each RPC name bound to its handler, every error to a reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from faststream.nats import NatsRouter

from services.integrity import handlers, reads
from services.integrity.config import IntegritySettings
from services.integrity.handlers import Service
from shared.events.integrity import SERVICE
from shared.rpc import RpcReply, RpcRequest, serve_table
from shared.runtime import Runtime

Handler = Callable[[Service, RpcRequest], Awaitable[RpcReply]]

RPCS: dict[str, Handler] = {
    "finding_record": handlers.record_finding,
    "finding_follow_up": handlers.follow_up_finding,
    "finding_resolve": handlers.resolve_finding,
    "finding_dismiss": handlers.dismiss_finding,
    "findings_summary": reads.findings_summary,
    "summary": reads.findings_by_year,
    "trend": reads.findings_trend,
    "findings_by_unit": reads.findings_by_unit,
    "open_findings": reads.open_findings,
    "visits": reads.visits,
}


def build_router(rt: Runtime, settings: IntegritySettings | None = None) -> NatsRouter:
    svc = Service.build(rt, settings or IntegritySettings())
    router = NatsRouter()
    serve_table(router, rt.settings.served_kabupaten(), SERVICE, RPCS, svc)
    return router
