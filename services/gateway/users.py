"""Dashboard users: argon2 password hashes and scoped roles in a JetStream key-value bucket."""

from __future__ import annotations

import asyncio
import getpass
import re
import sys
import time
from collections.abc import Awaitable, Callable

import nats
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from nats.js.client import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue
from pydantic import BaseModel, ConfigDict, model_validator

from services.gateway.auth import KECAMATAN_ROLES, Role
from shared.config import Settings
from shared.log.kv import open_bucket
from shared.tenancy import undot

BUCKET = "SMART_USERS"
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("no such user: the same work as a real check")
MIN_PASSWORD = 8


class UserError(ValueError):
    """A user that cannot be created as asked; `field` names the input at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class User(BaseModel):
    """A person who signs in, the role they act in and its area (codes without dots)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    username: str
    password_hash: str
    role: Role
    kab: str | None = None
    kec: str | None = None
    desa: str | None = None
    disabled: bool = False
    sessions_from: int = 0
    """Sessions opened before this time (epoch seconds) are no longer valid: set when the
    password is reset or the user is disabled."""

    @model_validator(mode="after")
    def _scoped(self) -> User:
        check_scope(self.role, self.kab, self.kec, self.desa)
        return self


def check_scope(role: Role, kab: str | None, kec: str | None, desa: str | None) -> None:
    """A camat or a bendahara needs a kecamatan, an operator a desa, each inside the one
    above it."""
    if role in KECAMATAN_ROLES and not kec:
        raise UserError(f"a {role.value} needs a kecamatan (--kec)", "kec")
    if role is Role.OPERATOR and not desa:
        raise UserError("an operator needs a desa (--desa)", "desa")
    if kec and (not kab or not kec.startswith(kab) or len(kec) != 6):
        raise UserError(f"kecamatan {kec} is not inside kabupaten {kab}", "kec")
    if desa and (not kec or not desa.startswith(kec) or len(desa) != 10):
        raise UserError(f"desa {desa} is not inside kecamatan {kec}", "desa")


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
        raise UserError("a username is 2-64 lowercase letters, digits, '.', '_' or '-'", "username")
    check_password(password)
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


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password has at least {MIN_PASSWORD} characters", "password")


def with_password(user: User, password: str) -> User:
    """The user with a new password; every session opened before now ends."""
    check_password(password)
    return user.model_copy(
        update={"password_hash": _HASHER.hash(password), "sessions_from": int(time.time())}
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

    async def provision(self) -> None:
        """Create the bucket if it is missing: the admin's act (`start_gateway`)."""
        await self._bucket()

    async def add(self, user: User) -> bool:
        """Keep a new user; False when the username is taken (nothing changes)."""
        kv = await self._bucket()
        try:
            await kv.create(user.username, user.model_dump_json().encode())
        except KeyWrongLastSequenceError:
            return False
        return True

    async def replace(self, user: User) -> None:
        """Keep a changed user (its password, its being disabled)."""
        kv = await self._bucket()
        await kv.put(user.username, user.model_dump_json().encode())

    async def all(self) -> list[User]:
        """Every user, by username."""
        await self._bucket()
        prefix = f"$KV.{BUCKET}."
        info = await self.js.stream_info(f"KV_{BUCKET}", subjects_filter=f"{prefix}>")
        names = sorted(s.removeprefix(prefix) for s in (info.state.subjects or {}))
        found = [await self.get(name) for name in names]
        return [user for user in found if user is not None]

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
        return user if user and matches and not user.disabled else None


def read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Kata sandi / password: ")
    if getpass.getpass("Ulangi / repeat: ") != first:
        raise UserError("the two passwords differ")
    return first


def describe(user: User) -> str:
    area = user.desa or user.kec or user.kab or "all areas"
    state = " (disabled)" if user.disabled else ""
    return f"{user.username}: {user.role.value} of {area}{state}"


async def _with_store(settings: Settings, work: Callable[[UserStore], Awaitable[str]]) -> str:
    nc = await nats.connect(servers=settings.nats_servers(), name="smart-cli")
    try:
        return await work(UserStore(nc.jetstream(), settings.stream_replicas))
    finally:
        await nc.close()


async def add_user(settings: Settings, user: User) -> str:
    """`smart user add`: keep a new user in the running deployment's bucket."""

    async def add(store: UserStore) -> str:
        if not await store.add(user):
            raise UserError(f"user {user.username} already exists; nothing changed")
        return f"user added: {describe(user)}"

    return await _with_store(settings, add)


async def list_users(settings: Settings) -> str:
    """`smart user list`: every user, one a line."""

    async def listing(store: UserStore) -> str:
        return "\n".join(describe(user) for user in await store.all()) or "no users"

    return await _with_store(settings, listing)


async def change_user(
    settings: Settings, username: str, *, password: str | None = None, disable: bool = False
) -> str:
    """`smart user passwd|disable`: a new password (enabling the user again) or disabling;
    either ends the user's open sessions."""

    async def change(store: UserStore) -> str:
        user = await store.get(username.strip().lower())
        if user is None:
            raise UserError(f"no user {username}")
        if password is not None:
            user = with_password(user, password).model_copy(update={"disabled": False})
        if disable:
            user = user.model_copy(update={"disabled": True, "sessions_from": int(time.time())})
        await store.replace(user)
        return f"user changed: {describe(user)}"

    return await _with_store(settings, change)
