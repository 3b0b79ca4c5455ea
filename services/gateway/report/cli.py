"""`smart report`: the SKK report of a running deployment, written to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nats
from nats.aio.client import Client as NATS

from services.gateway.report import render
from services.gateway.report.data import Fetch, gather, reply_data
from services.gateway.web.i18n import Words
from shared.config import Settings
from shared.edge.rpc import RpcRequest, call
from shared.errors import DomainError
from shared.tenancy import Tenant, undot


class ReportFailed(RuntimeError):
    """A service refused to give a figure (exit code 2)."""


def nats_fetch(nc: NATS, tenant: Tenant, actor: str) -> Fetch:
    async def fetch(service: str, name: str, params: dict[str, Any]) -> Any:
        request = RpcRequest(kab=tenant.kab, kec=tenant.kec, actor=actor, params=params)
        return reply_data(await call(nc, service, name, request))

    return fetch


async def write_report(
    settings: Settings,
    kec: str,
    year: int,
    fmt: str,
    out: str | None,
    lang: str = "id",
    sep: str = ";",
) -> Path:
    tenant = Tenant.parse(undot(kec)[:4], kec)
    nc = await nats.connect(servers=settings.nats_servers(), name="smart-report")
    try:
        fetch = nats_fetch(nc, tenant, "cli:report")
        report = await gather(fetch, nc, tenant.kab, tenant.kec, year)
    except DomainError as exc:
        raise ReportFailed(f"{exc.code}: {exc.message_en}") from None
    finally:
        await nc.close()
    content, _, filename = render(report, fmt, Words(lang), sep)
    path = Path(out) if out else Path(filename)
    path.write_bytes(content)
    return path
