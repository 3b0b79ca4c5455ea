"""`GET /summary`: the one composite path, every service's `summary` of a year merged."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import Field, ValidationError, create_model

from services.gateway.bridge import Bridge, reply_response
from shared.contracts import SERVICES, Operation, Query
from shared.contracts.base import QueryInt
from shared.contracts.distribution import DistributionSummary
from shared.contracts.donations import DonationsSummary
from shared.contracts.integrity import FindingsByYear
from shared.contracts.scheduler import ActivitiesSummary
from shared.edge.rpc import invalid_reply


class SummaryYear(Query):
    """`year`: the calendar year every figure is counted in."""

    service: ClassVar[str] = "gateway"
    rpc: ClassVar[str] = "summary"

    year: QueryInt = Field(ge=2000, le=2100, description="Calendar year")


Summary = create_model(
    "Summary",
    __base__=(ActivitiesSummary, DonationsSummary, DistributionSummary, FindingsByYear),
    __doc__="The year's figures of every programme, each counted by its business date.",
    year=(int, ...),
)

SUMMARY = Operation(
    "GET",
    "/summary",
    SummaryYear,
    Summary,
    "The year's figures of every programme",
    "getSummary",
)


def summary_endpoint(bridge: Bridge) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def summary(request: Request) -> JSONResponse:
        call = await bridge.begin(request, request.path_params["kab"], request.path_params["kec"])
        try:
            year = SummaryYear.model_validate(dict(request.query_params)).year
        except ValidationError as exc:
            return reply_response(invalid_reply(exc))
        replies = await asyncio.gather(
            *(bridge.rpc(call, s, "summary", params={"year": year}) for s in SERVICES)
        )
        merged: dict[str, Any] = {}
        for reply in replies:
            if not reply.ok:
                return reply_response(reply)
            merged.update(reply.data or {})
        return JSONResponse({**merged, "year": year})

    return summary
