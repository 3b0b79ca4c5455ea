"""Access: signed bearer tokens, roles scoped to an area, and the checks on every request."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.errors import DomainError, Forbidden

TOKEN_PREFIX = "smart1"  # noqa: S105 - a format tag, not a secret
DEFAULT_TOKEN_DAYS = 365


class Role(StrEnum):
    ADMIN = "admin"
    CAMAT = "camat"
    OPERATOR = "operator"
    AUDITOR = "auditor"
    BENDAHARA = "bendahara"
    """The kecamatan's treasurer: keeps its books (donations, voids, procurements, stock
    adjustments, expenses) and reads all of it; never closes a period."""


KECAMATAN_ROLES = frozenset({Role.CAMAT, Role.BENDAHARA, Role.OPERATOR})
"""The roles bound to one kecamatan: a token or a user of these needs one."""


class Claims(BaseModel):
    """Who the bearer is and the area they act in (codes without dots); `None` = all."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sub: str
    role: Role
    kab: str | None = None
    kec: str | None = None
    desa: str | None = None
    exp: int
    sid: str | None = None
    """A dashboard session's id (absent in API tokens): what signing out revokes."""


class Unauthorized(DomainError):
    status = 401

    def __init__(self, why: str, why_en: str) -> None:
        super().__init__("UNAUTHORIZED", why, why_en)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, body: str) -> str:
    key = hashlib.sha256(f"gateway-token:{secret}".encode()).digest()
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def issue_token(
    secret: str,
    *,
    sub: str,
    role: Role,
    kab: str | None = None,
    kec: str | None = None,
    desa: str | None = None,
    ttl_s: int = DEFAULT_TOKEN_DAYS * 86400,
    sid: str | None = None,
) -> str:
    exp = int(time.time()) + ttl_s
    claims = Claims(sub=sub, role=role, kab=kab, kec=kec, desa=desa, exp=exp, sid=sid)
    body = _b64(claims.model_dump_json().encode())
    return f"{TOKEN_PREFIX}.{body}.{_mac(secret, body)}"


def read_token(secret: str, token: str) -> Claims:
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise Unauthorized("Token tidak dikenali", "The token is not recognised")
    if not hmac.compare_digest(_mac(secret, parts[1]), parts[2]):
        raise Unauthorized("Token tidak sah", "The token is not valid")
    try:
        claims = Claims.model_validate(json.loads(_unb64(parts[1])))
    except (ValueError, ValidationError):
        raise Unauthorized("Token rusak", "The token is malformed") from None
    if claims.exp < time.time():
        raise Unauthorized("Token kedaluwarsa", "The token has expired")
    return claims


def bearer(header: str | None) -> str:
    if not header or not header.lower().startswith("bearer "):
        raise Unauthorized(
            "Butuh header Authorization: Bearer <token>",
            "An Authorization: Bearer <token> header is required",
        )
    return header[7:].strip()


def check_area(claims: Claims, kab: str, kec: str, *, write: bool) -> None:
    """The kecamatan-level check every /api request passes."""
    if claims.kab is not None and claims.kab != kab:
        raise Forbidden()
    if claims.role is Role.AUDITOR:
        if write:
            raise Forbidden()
        return
    if claims.role is Role.ADMIN:
        return
    if claims.kec != kec:
        raise Forbidden()


def check_writer(claims: Claims, writers: frozenset[str]) -> None:
    """A write is sent only by the roles its operation names (the auditor never writes)."""
    if claims.role.value not in writers:
        raise Forbidden()
