"""One async function per query: read-your-writes, the kecamatan check, then a read model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.integrity.handlers import Service
from services.integrity.reports import per_desa, summary, trend, with_age, years_up_to
from shared.clock import jakarta_today
from shared.rpc import RpcReply, RpcRequest


class Params(BaseModel):
    """Query parameters: `year` (absent: this year in Jakarta) and `overdue_days`."""

    model_config = ConfigDict(extra="ignore")

    year: int | None = Field(default=None, ge=1900, le=9999)
    overdue_days: int | None = Field(default=None, ge=1, le=3650)


def _year(req: RpcRequest) -> int:
    return Params.model_validate(req.params).year or jakarta_today().year


async def findings_summary(svc: Service, req: RpcRequest) -> RpcReply:
    await svc.directory(req)
    return RpcReply(data=summary(await svc.queries.groups(req.tenant.kab, req.tenant.kec)))


async def findings_by_year(svc: Service, req: RpcRequest) -> RpcReply:
    """`summary`: findings per year from the earliest one up to `year`, zeros included."""
    year = _year(req)
    await svc.directory(req)
    counts = await svc.queries.by_year(req.tenant.kab, req.tenant.kec, upto=year)
    return RpcReply(data={"findings_by_year": years_up_to(counts, year)})


async def findings_trend(svc: Service, req: RpcRequest) -> RpcReply:
    year = _year(req)
    await svc.directory(req)
    counts = await svc.queries.by_year(req.tenant.kab, req.tenant.kec, upto=year)
    return RpcReply(data=trend(counts, year))


async def findings_by_unit(svc: Service, req: RpcRequest) -> RpcReply:
    year = Params.model_validate(req.params).year
    await svc.directory(req)
    units = await svc.queries.by_unit(req.tenant.kab, req.tenant.kec, year)
    return RpcReply(data={"year": year, "units": units})


async def open_findings(svc: Service, req: RpcRequest) -> RpcReply:
    days = Params.model_validate(req.params).overdue_days or svc.settings.overdue_days
    await svc.directory(req)
    rows = await svc.queries.open_findings(req.tenant.kab, req.tenant.kec)
    return RpcReply(data=with_age(rows, jakarta_today(), days))


async def visits(svc: Service, req: RpcRequest) -> RpcReply:
    """Serasa Desa visits beside the findings, per desa and per visit, in `year`."""
    year = _year(req)
    directory = await svc.directory(req)
    kab, kec = req.tenant.kab, req.tenant.kec
    held = await svc.queries.visits(kab, kec, year)
    found = await svc.queries.findings_per_desa(kab, kec, year)
    desa = per_desa(directory.desa, [v["host_desa"] for v in held], found)
    return RpcReply(data={"year": year, "desa": desa, "visits": held})
