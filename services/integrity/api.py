"""The integrity service's table: each command and query type and the function serving it.

An act on a finding answers 404 for an unknown finding whatever its body (an unknown id in
the path is 404, CONTRACT.md): its RPC is served by a path-only message, and its body is
parsed as its command only then; a body that does not parse is judged after the path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar, TypeVar

from pydantic import ValidationError

from services.integrity import handlers, queries
from services.integrity.deps import Deps
from shared.contracts import integrity as c
from shared.contracts.base import Command, Message
from shared.errors import InvalidInput
from shared.events.integrity import SERVICE
from shared.kit import Api, Ctx, Handler, Written, parse

A = TypeVar("A", bound=Command)


class FindingPath(Message):
    """The `{id}` of an act on a finding: the message its RPC is served with."""

    service: ClassVar[str] = SERVICE


class FollowUpPath(FindingPath):
    rpc: ClassVar[str] = c.FollowUpFinding.rpc


class ResolvePath(FindingPath):
    rpc: ClassVar[str] = c.ResolveFinding.rpc


class DismissPath(FindingPath):
    rpc: ClassVar[str] = c.DismissFinding.rpc


def path_first(
    command: type[A], handler: Callable[[A, Ctx[Deps]], Awaitable[Written[c.FindingRef]]]
) -> Handler[Deps]:
    async def serve(path: Message, ctx: Ctx[Deps]) -> Written[c.FindingRef]:
        try:
            cmd = parse(command, ctx.req)
        except (ValidationError, InvalidInput):
            await handlers.known_finding(ctx)
            raise
        if not isinstance(cmd, command):
            raise TypeError(f"{command.__name__} expected, {type(cmd).__name__} parsed")
        return await handler(cmd, ctx)

    return serve


API = Api[Deps](
    SERVICE,
    {
        c.RecordFinding: handlers.record_finding,
        FollowUpPath: path_first(c.FollowUpFinding, handlers.follow_up_finding),
        ResolvePath: path_first(c.ResolveFinding, handlers.resolve_finding),
        DismissPath: path_first(c.DismissFinding, handlers.dismiss_finding),
        c.FindingsSummaryQuery: queries.findings_summary,
        c.SummaryQuery: queries.findings_by_year,
        c.TrendQuery: queries.findings_trend,
        c.FindingsByUnitQuery: queries.findings_by_unit,
        c.OpenFindingsQuery: queries.open_findings,
        c.VisitsQuery: queries.visits,
    },
)
