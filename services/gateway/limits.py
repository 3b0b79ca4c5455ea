"""Request body limits: a body over its limit is refused 413 before it is read whole.

A declared `Content-Length` over the limit is refused before a byte of the body is read; a
body without one (chunked) is counted as it arrives and refused once it passes the limit.
An import (a CSV, raw or multipart) has its own, larger limit; every other body the JSON
one. Both are settings (`SMART_MAX_JSON_BODY_BYTES`, `SMART_MAX_IMPORT_BODY_BYTES`). An
uploaded evidence file has the contract's limit (5 MiB, and room for its multipart
wrapping): past it the answer is the contract's 422 `file`, not 413.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fastapi.responses import JSONResponse
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.config import Settings
from shared.contracts.distribution import EVIDENCE_MAX_BYTES
from shared.errors import DomainError, InvalidInput


class BodyTooLarge(DomainError):
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(
            "BODY_TOO_LARGE",
            f"Isi permintaan lebih besar dari batasnya ({limit} bait)",
            f"The request body is larger than its limit ({limit} bytes)",
            field="body",
            extra={"limit_bytes": limit},
        )


class FileTooLarge(InvalidInput):
    def __init__(self, limit: int) -> None:
        super().__init__(
            "file",
            f"Berkas paling besar {limit // (1024 * 1024)} MB",
            f"The file must be at most {limit // (1024 * 1024)} MB",
        )


MULTIPART_ROOM = 64 * 1024
"""What a multipart body may add to its file (boundaries, headers, the form's fields)."""


@dataclass(frozen=True)
class BodyLimits:
    json: int = Settings.model_fields["max_json_body_bytes"].default
    csv: int = Settings.model_fields["max_import_body_bytes"].default
    file: int = EVIDENCE_MAX_BYTES

    @classmethod
    def of(cls, settings: Settings) -> BodyLimits:
        return cls(settings.max_json_body_bytes, settings.max_import_body_bytes)


def _declared(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class LimitBodies:
    """ASGI middleware applying `limits` (imports: the paths `imports`, route templates)."""

    def __init__(
        self, app: ASGIApp, limits: BodyLimits, imports: Iterable[str], files: Iterable[str] = ()
    ) -> None:
        self.app = app
        self.limits = limits
        self.imports = [compile_path(path)[0] for path in imports]
        self.files = [compile_path(path)[0] for path in files]

    def limit_of(self, path: str) -> int:
        return self.limits.csv if any(p.match(path) for p in self.imports) else self.limits.json

    def refusal_of(self, path: str) -> tuple[int, DomainError]:
        """The path's limit and the refusal past it."""
        if any(p.match(path) for p in self.files):
            return self.limits.file + MULTIPART_ROOM, FileTooLarge(self.limits.file)
        limit = self.limit_of(path)
        return limit, BodyTooLarge(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, refusal = self.refusal_of(scope["path"])
        declared = _declared(scope)
        if declared is not None and declared > limit:
            await JSONResponse(refusal.body(), refusal.status)(scope, receive, send)
            return
        started = False
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise refusal
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except (BodyTooLarge, FileTooLarge) as exc:
            if started:
                raise
            await JSONResponse(exc.body(), exc.status)(scope, receive, send)
