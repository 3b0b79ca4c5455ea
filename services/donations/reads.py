"""One async function per query: read-your-writes, the kecamatan check, then a read model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from services.donations.handlers import Deps
from shared.clock import jakarta_today
from shared.rpc import RpcReply, RpcRequest


class Period(BaseModel):
    """`year` from the query parameters; absent means every year (or this year, for a recap)."""

    model_config = ConfigDict(extra="ignore")

    year: int | None = Field(default=None, ge=1900, le=9999)


async def _units(deps: Deps, req: RpcRequest) -> tuple[str, ...]:
    await deps.rt.wait_for(req.tenant.kab, req.wait_for)
    return await deps.kecamatans.units(req.tenant)


def _year(req: RpcRequest) -> int:
    return Period.model_validate(req.params).year or jakarta_today().year


async def fund(deps: Deps, req: RpcRequest) -> RpcReply:
    await _units(deps, req)
    return RpcReply(data=await deps.queries.fund(req.tenant))


async def summary(deps: Deps, req: RpcRequest) -> RpcReply:
    await _units(deps, req)
    return RpcReply(data=await deps.queries.summary(req.tenant, _year(req)))


async def recap(deps: Deps, req: RpcRequest) -> RpcReply:
    units = await _units(deps, req)
    return RpcReply(data=await deps.queries.recap(req.tenant, _year(req), units))


async def units(deps: Deps, req: RpcRequest) -> RpcReply:
    configured = await _units(deps, req)
    year = Period.model_validate(req.params).year
    return RpcReply(data=await deps.queries.units(req.tenant, year, configured))


async def transparency(deps: Deps, req: RpcRequest) -> RpcReply:
    await _units(deps, req)
    year = Period.model_validate(req.params).year
    return RpcReply(data=await deps.queries.transparency(req.tenant, year))
