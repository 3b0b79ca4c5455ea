"""From an HTTP request to a service's RPC and back: auth, wait_for, idempotency, errors."""

from __future__ import annotations

import json
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from nats.aio.client import Client as NATS
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import NotFoundError

from services.gateway.auth import Claims, bearer, check_area, read_token
from services.gateway.idempotency import IdempotencyStore, Remembered, body_hash, scope_key
from shared.edge.rpc import NO_RESPONDER_RETRIES, RpcReply, RpcRequest, Scope, call
from shared.errors import DomainError, InvalidInput, NotFound
from shared.tenancy import stream_name

log = logging.getLogger("smart.gateway")
_KAB = re.compile(r"^[0-9]{4}$")


class ServiceUnavailable(DomainError):
    status = 503

    def __init__(self, service: str) -> None:
        super().__init__(
            "SERVICE_UNAVAILABLE",
            f"Layanan {service} sedang tidak tersedia",
            f"The {service} service is not available",
        )


class KeyReused(DomainError):
    status = 422

    def __init__(self) -> None:
        super().__init__(
            "IDEMPOTENCY_KEY_REUSED",
            "Idempotency-Key ini sudah dipakai untuk isi permintaan yang lain",
            "This Idempotency-Key was already used with a different request body",
            field="Idempotency-Key",
        )


def canonical(body: Any) -> bytes:
    """One spelling per JSON value, so a repeat that only reorders keys is the same body."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def error_response(exc: DomainError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status)


@dataclass
class Call:
    """One forwarded request, after its checks; `raw_body` is what an Idempotency-Key
    compares when the body is not JSON (an import's CSV text, whatever its multipart wrapping)."""

    claims: Claims
    kab: str
    kec: str
    wait_for: int | None
    body: Any
    raw_body: bytes


def tenant_of(kab: str, kec: str) -> tuple[str, str]:
    if not _KAB.match(kab) or not re.fullmatch(rf"{kab}[0-9]{{2}}", kec):
        raise NotFound("kecamatan", kec, "kecamatan")
    return kab, kec


def parse_json(raw: bytes) -> Any:
    """The body as JSON; undecodable bytes, numbers past Python's digit limit and nesting
    past the recursion limit are bad input, not a crash."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidInput(
            "body",
            "Isi permintaan bukan JSON yang sah",
            "The request body is not valid JSON",
        ) from None


def parse_wait_for(request: Request) -> int | None:
    raw = request.query_params.get("wait_for")
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise InvalidInput(
            "wait_for",
            "wait_for harus bilangan bulat posisi log",
            "wait_for must be an integer log position",
        )
    return int(raw)


def scope_of(claims: Claims) -> Scope:
    """Who asks, as every service is told: the token's role and area."""
    return Scope(role=claims.role.value, kab=claims.kab, kec=claims.kec, desa=claims.desa)


class Bridge:
    """Everything a route needs: the NATS connection, the secret, the idempotency store."""

    def __init__(self, nc: NATS, secret: str, idempotency: IdempotencyStore) -> None:
        self.nc = nc
        self.secret = secret
        self.idempotency = idempotency

    async def begin(self, request: Request, kab: str, kec: str, *, json_body: bool = True) -> Call:
        claims = read_token(self.secret, bearer(request.headers.get("authorization")))
        kab, kec = tenant_of(kab, kec)
        write = request.method != "GET"
        check_area(claims, kab, kec, write=write)
        raw = await request.body() if write else b""
        body = parse_json(raw) if write and json_body and raw else None
        return Call(claims, kab, kec, parse_wait_for(request), body, raw)

    async def unknown_path(self, request: Request, kab: str, kec: str, rest: str) -> None:
        """A path the contract does not have: 401/403 as anywhere, then 404 in its shape."""
        claims = read_token(self.secret, bearer(request.headers.get("authorization")))
        check_area(claims, *tenant_of(kab, kec), write=False)
        raise NotFound("Alamat", f"/{rest[:100]}", "Path")

    async def log_head(self, kab: str) -> int:
        """The kabupaten log's last sequence: a position every service can be asked to reach."""
        try:
            info = await self.nc.jetstream().stream_info(stream_name(kab))
        except NotFoundError:
            return 0
        return int(info.state.last_seq or 0)

    async def rpc(
        self,
        call_: Call,
        service: str,
        name: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        command_id: str | None = None,
        patient: bool = True,
    ) -> RpcReply:
        """The service's reply; `patient=False` gives up at once when nobody serves the
        subject, instead of waiting out a replica's restart."""
        req = RpcRequest(
            kab=call_.kab,
            kec=call_.kec,
            command_id=command_id or str(uuid.uuid4()),
            actor=f"{call_.claims.role.value}:{call_.claims.sub}",
            scope=scope_of(call_.claims),
            wait_for=call_.wait_for,
            params=params or {},
            body=call_.body if body is None else body,
        )
        retries = NO_RESPONDER_RETRIES if patient else 1
        try:
            return await call(self.nc, service, name, req, retries=retries)
        except (NoRespondersError, NatsTimeout, TimeoutError):
            raise ServiceUnavailable(service) from None

    async def forward(
        self,
        request: Request,
        call_: Call,
        service: str,
        name: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
    ) -> JSONResponse:
        """Send a write or a read; a write with an Idempotency-Key answers its first answer:
        a key new to this process's memory of the bucket costs the one record written after
        the answer (a repeat racing the first is answered the record that won)."""
        key = request.headers.get("idempotency-key")
        if request.method == "GET" or not key:
            return reply_response(await self.rpc(call_, service, name, params=params, body=body))
        scope = scope_key(call_.kec, request.method, request.url.path, key)
        digest = body_hash(call_.raw_body if call_.body is None else canonical(call_.body))
        kept = await self.idempotency.recall(scope)
        if kept is None:
            reply = await self.rpc(
                call_, service, name, params=params, body=body, command_id=f"idem-{scope}"
            )
            if reply.status >= 500:
                return reply_response(reply)
            fresh = Remembered(digest, reply.status, reply_content(reply))
            kept = await self.idempotency.remember(scope, fresh)
        if kept.body_hash != digest:
            raise KeyReused()
        return JSONResponse(kept.content, status_code=kept.status)


def reply_content(reply: RpcReply) -> Any:
    """The JSON body an RPC reply answers: its error, or its data with its position."""
    if reply.error is not None:
        return {"error": reply.error}
    content = reply.data
    if reply.position is not None and isinstance(content, dict):
        content = {**content, "position": reply.position}
    return content


def reply_response(reply: RpcReply) -> JSONResponse:
    return JSONResponse(reply_content(reply), status_code=reply.status)
