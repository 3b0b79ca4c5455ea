"""Commands and queries over NATS request-reply: the request, the reply, the error mapping."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import uuid
import zlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from faststream.nats import NatsRouter
from nats.aio.client import Client as NATS
from nats.errors import NoRespondersError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import to_json

from shared.errors import DomainError
from shared.log.envelope import Metadata
from shared.strict import explained
from shared.tenancy import Tenant, check_token, dot, kabupaten_code, undot

log = logging.getLogger("smart.rpc")
D = TypeVar("D")
RPC_ROOT = "smartrpc"
OPERATOR = "operator"
NO_RESPONDER_RETRIES = 10
RPC_WORKERS = 16
"""Requests one replica handles at once per RPC name: a read waiting on `wait_for` must not
hold up the others (commands on one aggregate still queue in the CommandRunner)."""
STILL_WORKING = 202
"""A reply saying a long command is still at work (`data`: `done` of `total`): the caller
asks again with the same request until the final reply (shared/edge/jobs.py)."""
STALLED_ASKS = 6
"""Asks in a row that saw no progress after which the caller gives up (a timeout)."""
PACK_ABOVE = 1_000_000
"""A request larger than this (bytes of JSON) travels with its body compressed."""
INFLATED_MAX = 64_000_000
"""The largest body a compressed request may inflate to."""


def rpc_subject(kab: str, service: str, name: str) -> str:
    """`smartrpc.<kab>.<service>.<name>`: outside every stream, scoped by kabupaten."""
    return f"{RPC_ROOT}.{kab}.{check_token(service, 'service')}.{check_token(name, 'name')}"


def rpc_pattern(service: str, name: str) -> str:
    return f"{RPC_ROOT}.*.{service}.{name}"


class Scope(BaseModel):
    """Who asks, typed: a role and its area (codes without dots; None: all of it). The
    service that owns the data decides what the area allows (an operator's own desa)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: str = Field(min_length=1, max_length=40)
    kab: str | None = None
    kec: str | None = None
    desa: str | None = None

    @property
    def confined_desa(self) -> str | None:
        """The desa (dotted) an operator is confined to; None for every other role."""
        return dot(self.desa) if self.role == OPERATOR and self.desa else None

    def covers_desa(self, desa: str | None) -> bool:
        if self.role != OPERATOR:
            return True
        return desa is not None and self.desa is not None and undot(desa) == self.desa


class RpcRequest(BaseModel):
    """What the gateway (or a test) sends: the tenant, who asks, and the input. `scope`
    absent is a trusted caller inside the deployment (a test, the operator's own tools)."""

    model_config = ConfigDict(extra="forbid")

    kab: str
    kec: str = ""
    """Empty in a kabupaten-wide request (`Message.kabupaten_wide`)."""
    command_id: str = Field(default_factory=lambda: str(uuid.uuid4()), min_length=1)
    correlation_id: str | None = None
    actor: str = "system"
    scope: Scope | None = None
    wait_for: int | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    body: Any = None
    body_zlib: str | None = Field(default=None, repr=False)
    """The body as compressed JSON (base64 of zlib), for a body too large to travel as it is
    (an import's CSV): the receiving side inflates it into `body`."""

    @model_validator(mode="before")
    @classmethod
    def _inflate(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("body_zlib") is not None:
            return {**data, "body": inflate(data["body_zlib"]), "body_zlib": None}
        return data

    @property
    def tenant(self) -> Tenant:
        return Tenant.parse(self.kab, self.kec)

    @property
    def meta(self) -> Metadata:
        return Metadata(
            command_id=self.command_id,
            correlation_id=self.correlation_id or self.command_id,
            actor=self.actor,
        )


class RpcReply(BaseModel):
    """The answer: an HTTP-like status, the log position reached, data or an error body."""

    status: int = 200
    position: int | None = None
    data: Any = None
    error: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status < 400


def _field_name(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc if p not in ("body", "params")) or "body"


def invalid_reply(exc: ValidationError) -> RpcReply:
    first = exc.errors()[0]
    field = _field_name(tuple(first["loc"]))
    msg_id, msg_en = explained(first)
    return RpcReply(
        status=422,
        error={
            "code": "INVALID",
            "message": f"Isian '{field}' tidak valid: {msg_id}",
            "message_en": f"Field '{field}' is invalid: {msg_en}",
            "field": field,
        },
    )


async def answer(work: Callable[[], Awaitable[RpcReply]]) -> RpcReply:
    """Run a handler and turn every refusal into a reply; nothing escapes as a crash."""
    try:
        return await work()
    except ValidationError as exc:
        return invalid_reply(exc)
    except DomainError as exc:
        return RpcReply(status=exc.status, error=exc.body()["error"])
    except Exception:
        log.exception("rpc handler failed")
        return RpcReply(
            status=500,
            error={
                "code": "INTERNAL",
                "message": "Terjadi kesalahan pada server",
                "message_en": "The server failed to handle the request",
            },
        )


def subscribe(
    router: NatsRouter,
    kabupaten: list[str] | None,
    service: str,
    name: str,
    endpoint: Callable[[RpcRequest], Awaitable[RpcReply]],
) -> None:
    """Serve one RPC: for the kabupaten this process serves only (None: every one), in the
    service's queue group, several requests at a time."""
    subjects = (
        [rpc_subject(k, service, name) for k in kabupaten]
        if kabupaten
        else [rpc_pattern(service, name)]
    )
    for subject in subjects:
        router.subscriber(subject, queue=service, max_workers=RPC_WORKERS)(endpoint)


def serve_table(
    router: NatsRouter,
    kabupaten: list[str] | None,
    service: str,
    handlers: Mapping[str, Callable[[D, RpcRequest], Awaitable[RpcReply]]],
    deps: D,
) -> None:
    """Serve every RPC of a name -> handler table, each handler given `deps`; every error
    becomes a reply."""
    for name, handler in handlers.items():
        subscribe(router, kabupaten, service, name, _bound(service, name, handler, deps))


def _bound(
    service: str, name: str, handler: Callable[[D, RpcRequest], Awaitable[RpcReply]], deps: D
) -> Callable[[RpcRequest], Awaitable[RpcReply]]:
    async def endpoint(req: RpcRequest) -> RpcReply:
        return await answer(lambda: handler(deps, req))

    endpoint.__name__ = endpoint.__qualname__ = f"{service}_{name}"
    return endpoint


class RequestTooLarge(DomainError):
    """A request that cannot travel even compressed (413)."""

    status = 413

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            "BODY_TOO_LARGE",
            f"Isi permintaan terlalu besar untuk diteruskan ({size} bait, paling banyak {limit})",
            f"The request body is too large to forward ({size} bytes, at most {limit})",
            field="body",
        )


def inflate(packed: str) -> Any:
    inflater = zlib.decompressobj()
    raw = inflater.decompress(base64.b64decode(packed), INFLATED_MAX)
    if inflater.unconsumed_tail:
        raise ValueError(f"a compressed body inflates past {INFLATED_MAX} bytes")
    return json.loads(raw)


def encode(request: RpcRequest, max_payload: int) -> bytes:
    """The request as sent: its body compressed when it is large (an import's CSV)."""
    data = request.model_dump_json().encode()
    if len(data) > PACK_ABOVE:
        packed = base64.b64encode(zlib.compress(to_json(request.body), 6)).decode()
        data = (
            request.model_copy(update={"body": None, "body_zlib": packed})
            .model_dump_json()
            .encode()
        )
    if max_payload and len(data) > max_payload:
        raise RequestTooLarge(len(data), max_payload)
    return data


async def call(
    nc: NATS,
    service: str,
    name: str,
    request: RpcRequest,
    timeout: float = 20.0,
    retries: int = NO_RESPONDER_RETRIES,
) -> RpcReply:
    """Send a request to a service and parse its reply; a long command answering 202 is
    asked again (the same request, which joins its job) until its final reply, and given up
    on as a timeout once several asks in a row saw it make no progress. With no responder
    it is asked `retries` times in all (a replica may be restarting); 1 for a caller that
    would rather know at once that nobody serves the subject."""
    subject = rpc_subject(kabupaten_code(request.kab), service, name)
    data = encode(request, nc.max_payload if nc.is_connected else 0)
    stalled, seen = 0, None
    while True:
        reply = await _ask(nc, subject, data, timeout, retries)
        if reply.status != STILL_WORKING:
            return reply
        stalled, seen = (stalled + 1 if reply.data == seen else 0), reply.data
        if stalled >= STALLED_ASKS:
            raise TimeoutError(f"{subject} made no progress in {STALLED_ASKS} asks")


async def _ask(nc: NATS, subject: str, data: bytes, timeout: float, retries: int) -> RpcReply:
    for attempt in range(retries):
        try:
            msg = await nc.request(subject, data, timeout=timeout)
        except NoRespondersError:
            if attempt == retries - 1:
                raise
            await asyncio.sleep(0.1 * (attempt + 1))
            continue
        return RpcReply.model_validate_json(msg.data)
    raise AssertionError("unreachable")
