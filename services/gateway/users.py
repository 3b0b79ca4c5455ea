"""Dashboard users: argon2 password hashes and scoped roles in a JetStream key-value bucket."""

from __future__ import annotations

import asyncio
import getpass
import re
import sys

import nats
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from nats.js.client import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue
from pydantic import BaseModel, ConfigDict, model_validator

from services.gateway.auth import Role
from shared.config import Settings
from shared.kv import open_bucket
from shared.tenancy import undot

BUCKET = "SMART_USERS"
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("no such user: the same work as a real check")
MIN_PASSWORD = 8


class UserError(ValueError):
    """A user that cannot be created as asked."""


class User(BaseModel):
    """A person who signs in, the role they act in and its area (codes without dots)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    username: str
    password_hash: str
    role: Role
    kab: str | None = None
    kec: str | None = None
    desa: str | None = None

    @model_validator(mode="after")
    def _scoped(self) -> User:
        check_scope(self.role, self.kab, self.kec, self.desa)
        return self


def check_scope(role: Role, kab: str | None, kec: str | None, desa: str | None) -> None:
    """A camat needs a kecamatan, an operator a desa, each inside the one above it."""
    if role in (Role.CAMAT, Role.OPERATOR) and not kec:
        raise UserError(f"a {role.value} needs a kecamatan (--kec)")
    if role is Role.OPERATOR and not desa:
        raise UserError("an operator needs a desa (--desa)")
    if kec and (not kab or not kec.startswith(kab) or len(kec) != 6):
        raise UserError(f"kecamatan {kec} is not inside kabupaten {kab}")
    if desa and (not kec or not desa.startswith(kec) or len(desa) != 10):
        raise UserError(f"desa {desa} is not inside kecamatan {kec}")


def new_user(
    username: str,
    password: str,
    role: Role,
    *,
    kab: str | None = None,
    kec: str | None = None,
    desa: str | None = None,
) -> User:
    """A user with a fresh argon2 hash; region codes may carry dots."""
    if not USERNAME.match(username):
        raise UserError("a username is 2-64 lowercase letters, digits, '.', '_' or '-'")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password has at least {MIN_PASSWORD} characters")
    kec, desa = (undot(kec) if kec else None), (undot(desa) if desa else None)
    kab = undot(kab) if kab else (kec[:4] if kec else None)
    check_scope(role, kab, kec, desa)
    return User(
        username=username,
        password_hash=_HASHER.hash(password),
        role=role,
        kab=kab,
        kec=kec,
        desa=desa,
    )


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class UserStore:
    """Users kept in the `SMART_USERS` bucket, one key per username."""

    def __init__(self, js: JetStreamContext, replicas: int = 1) -> None:
        self.js = js
        self.replicas = replicas
        self._kv: KeyValue | None = None

    async def _bucket(self) -> KeyValue:
        if self._kv is None:
            self._kv = await open_bucket(self.js, BUCKET, history=5, replicas=self.replicas)
        return self._kv

    async def add(self, user: User) -> bool:
        """Keep a new user; False when the username is taken (nothing changes)."""
        kv = await self._bucket()
        try:
            await kv.create(user.username, user.model_dump_json().encode())
        except KeyWrongLastSequenceError:
            return False
        return True

    async def get(self, username: str) -> User | None:
        if not USERNAME.match(username):
            return None
        kv = await self._bucket()
        try:
            entry = await kv.get(username)
        except KeyNotFoundError:
            return None
        return User.model_validate_json(entry.value) if entry.value else None

    async def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password matches; an unknown name costs the same hash check."""
        user = await self.get(username.strip().lower())
        stored = user.password_hash if user else _DUMMY_HASH
        matches = await asyncio.to_thread(password_matches, stored, password)
        return user if user and matches else None


def read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Kata sandi / password: ")
    if getpass.getpass("Ulangi / repeat: ") != first:
        raise UserError("the two passwords differ")
    return first


async def add_user(settings: Settings, user: User) -> str:
    """`smart user add`: keep a new user in the running deployment's bucket."""
    nc = await nats.connect(servers=settings.nats_servers(), name="smart-cli")
    try:
        if not await UserStore(nc.jetstream(), settings.stream_replicas).add(user):
            raise UserError(f"user {user.username} already exists; nothing changed")
    finally:
        await nc.close()
    area = user.desa or user.kec or user.kab or "all areas"
    return f"user {user.username} added: {user.role.value} of {area}"
