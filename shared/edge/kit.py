"""The service kit: what a handler is given (`Ctx`), what it answers (`Written` or a reply),
and the one RPC edge that parses, waits, checks the kecamatan and maps errors for all.

A service declares `API = Api(SERVICE, {ReceiveDonation: receive_donation, Fund: fund})`;
each handler is `async def receive_donation(cmd: ReceiveDonation, ctx: Ctx[Deps])`.
`paths={VoidDonation: known_donation}` names the check of a message's path `{id}`, run
before its body is parsed: an unknown id is 404 whatever the body.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from faststream.nats import NatsRouter
from pydantic import BaseModel

from shared.clock import jakarta_today
from shared.contracts.base import Command, Message
from shared.edge.jobs import Pending
from shared.edge.rpc import STILL_WORKING, RpcReply, RpcRequest, Scope, answer, subscribe
from shared.errors import DomainError, Forbidden, InvalidInput, NotFound
from shared.events.scheduler import KecamatanConfigured
from shared.log.envelope import Metadata
from shared.tenancy import Tenant, kabupaten_code

if TYPE_CHECKING:
    from shared.runtime import Runtime

D = TypeVar("D")
R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class Written(Generic[R]):
    """A command's answer: its reply, the log position reached, and whether it created."""

    reply: R
    position: int
    created: bool = False


@dataclass(frozen=True)
class Ctx(Generic[D]):
    """One request as a handler sees it: who asks, for which kecamatan, with what."""

    req: RpcRequest
    rt: Runtime
    deps: D
    kecamatan: KecamatanConfigured | None = None
    today: date = field(default_factory=jakarta_today)

    @property
    def tenant(self) -> Tenant:
        return self.req.tenant

    @property
    def kab(self) -> str:
        """The kabupaten asked about (no dots): all that a kabupaten-wide request names."""
        return kabupaten_code(self.req.kab)

    @property
    def meta(self) -> Metadata:
        return self.req.meta

    @property
    def command_id(self) -> str:
        return self.req.command_id

    @property
    def scope(self) -> Scope | None:
        return self.req.scope

    @property
    def setup(self) -> KecamatanConfigured:
        """The kecamatan's set-up, which the edge has checked exists."""
        if self.kecamatan is None:
            raise RuntimeError("this operation is served before the kecamatan is set up")
        return self.kecamatan

    @property
    def raw_id(self) -> str:
        """The `{id}` of the path, as given."""
        return str(self.req.params.get("id", ""))

    def path_uuid(self, what: str, what_en: str | None = None) -> str:
        """The `{id}` of the path as a UUID; anything else is an unknown id (404)."""
        raw = self.raw_id
        try:
            return str(uuid.UUID(raw))
        except ValueError:
            raise NotFound(what, raw[:64], what_en) from None

    def require_desa(self, desa: str | None) -> None:
        """An operator acts only on its own desa's data (403 otherwise)."""
        if self.scope is not None and not self.scope.covers_desa(desa):
            raise Forbidden()

    @property
    def confined_desa(self) -> str | None:
        """The only desa (dotted) the caller may see, if it is confined to one."""
        return self.scope.confined_desa if self.scope is not None else None


Answer = Written[Any] | BaseModel | Pending
"""`Pending`: a long command still at work (`shared/edge/jobs.py`), answered 202."""
Handler = Callable[[Any, Ctx[D]], Awaitable[Answer]]
PathCheck = Callable[[Ctx[D]], Awaitable[object]]
"""Judges the `{id}` of a message's path (raises `NotFound`, or `Forbidden` for an operator
outside its desa); what it returns is not used."""
Endpoint = Callable[[RpcRequest], Awaitable[RpcReply]]


@dataclass(frozen=True)
class Api(Generic[D]):
    """A service's table: message type -> handler. `before_setup` lists the messages
    served for a kecamatan never configured; every other one answers 404 there. `paths`
    maps a message whose path has an `{id}` to the check of that id, run before its body
    is parsed: an unknown id is 404 whatever the body (CONTRACT.md)."""

    service: str
    handlers: Mapping[type[Message], Handler[D]]
    before_setup: frozenset[type[Message]] = frozenset()
    paths: Mapping[type[Message], PathCheck[D]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for message in (*self.handlers, *self.before_setup, *self.paths):
            if message.service != self.service:
                raise ValueError(f"{message.__name__} is not a {self.service} message")
            if message not in self.handlers:
                raise ValueError(f"{message.__name__} has no handler in the {self.service} API")

    def endpoint(self, rt: Runtime, deps: D, message: type[Message]) -> Endpoint:
        """The edge serving one message: wait for `wait_for`, check the kecamatan (unless
        `before_setup`), the caller's area named in the body, the path's `{id}`; parse;
        call the handler; map its answer or its refusal to an `RpcReply`."""
        return _edge(
            rt,
            deps,
            message,
            self.handlers[message],
            before_setup=message in self.before_setup,
            path_check=self.paths.get(message),
        )

    def router(self, rt: Runtime, deps: D) -> NatsRouter:
        router = NatsRouter()
        for message in self.handlers:
            endpoint = self.endpoint(rt, deps, message)
            endpoint.__name__ = endpoint.__qualname__ = f"{self.service}_{message.rpc}"
            subscribe(router, rt.settings.served_kabupaten(), self.service, message.rpc, endpoint)
        return router


def parse(message: type[Message], req: RpcRequest) -> Message:
    """A command from the body, a query from the parameters; bad input is 422 by field."""
    if not issubclass(message, Command):
        return message.model_validate(req.params)
    if message.takes_no_input() and req.body in (None, {}):
        return message()
    if not isinstance(req.body, dict):
        raise InvalidInput(
            "body",
            "Isi permintaan harus berupa objek JSON",
            "The request body must be a JSON object",
        )
    return message.model_validate(req.body)


def check_area(message: type[Message], req: RpcRequest) -> None:
    """An operator naming another desa is refused before its body is judged (403)."""
    if req.scope is None or message.desa_field is None:
        return
    desa = req.body.get(message.desa_field) if isinstance(req.body, dict) else None
    if not req.scope.covers_desa(desa if isinstance(desa, str) else None):
        raise Forbidden()


def check_kabupaten_area(req: RpcRequest) -> None:
    """A kabupaten-wide message is for callers whose area is the kabupaten or wider: one
    confined to a kecamatan or a desa, or to another kabupaten, is refused (403)."""
    scope = req.scope
    if scope is None:
        return
    if scope.kec is not None or scope.desa is not None:
        raise Forbidden()
    if scope.kab is not None and scope.kab != kabupaten_code(req.kab):
        raise Forbidden()


def reply_of(result: Answer) -> RpcReply:
    if isinstance(result, Pending):
        return RpcReply(status=STILL_WORKING, data={"done": result.done, "total": result.total})
    if isinstance(result, Written):
        data = result.reply.model_dump(mode="json")
        return RpcReply(status=201 if result.created else 200, position=result.position, data=data)
    return RpcReply(data=result.model_dump(mode="json"))


def _edge(
    rt: Runtime,
    deps: D,
    message: type[Message],
    handler: Handler[D],
    *,
    before_setup: bool,
    path_check: PathCheck[D] | None,
) -> Endpoint:
    async def endpoint(req: RpcRequest) -> RpcReply:
        async def work() -> RpcReply:
            if message.kabupaten_wide:
                return await whole_kabupaten()
            tenant = req.tenant
            await rt.wait_for(tenant.kab, req.wait_for)
            kecamatan = None if before_setup else await rt.facts.require_kecamatan(tenant)
            check_area(message, req)
            try:
                return await decide(kecamatan)
            except DomainError:
                fresh = None if kecamatan is None else await rt.facts.kecamatan(tenant, reread=True)
                if fresh is None or fresh == kecamatan:
                    raise  # refused on the set-up the log holds now, not on a memory of it
            return await decide(fresh)

        async def whole_kabupaten() -> RpcReply:
            check_kabupaten_area(req)
            await rt.wait_for(kabupaten_code(req.kab), req.wait_for)
            return await decide(None)

        async def decide(kecamatan: KecamatanConfigured | None) -> RpcReply:
            ctx = Ctx(req, rt, deps, kecamatan)
            if path_check is not None:
                await path_check(ctx)
            return reply_of(await handler(parse(message, req), ctx))

        return await answer(work)

    return endpoint
