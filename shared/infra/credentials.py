"""Credentials per role: generated once into the data directory (files 0600), given to the
servers' configuration, and taken by each process for the connections of its own role."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from shared.config import Settings
from shared.infra.permissions import (
    ADMIN,
    AUDIT,
    AUDITOR,
    GATEWAY,
    Permissions,
    ServiceRole,
    permissions_of,
)

if TYPE_CHECKING:
    from shared.runtime import ServiceSpec

CREDENTIALS_DIR = "credentials"
OPERATOR = "smart_operator"
"""The PostgreSQL role of the operator's own tools (`smart replay`, the tests): a member of
every service's role, never a superuser."""
NATS, POSTGRES = "nats", "pg"
TOOL_ROLES = (ADMIN, GATEWAY, AUDIT, AUDITOR)


class CredentialsMissing(RuntimeError):
    """A role's credential is not where the configuration says it is."""


@dataclass(frozen=True)
class CredentialStore:
    """`<data>/credentials/<nats|pg>_<role>.password`: made once, then read at each start."""

    dir: Path

    @classmethod
    def of(cls, data_dir: Path) -> CredentialStore:
        return cls(data_dir / CREDENTIALS_DIR)

    def path(self, kind: str, role: str) -> Path:
        return self.dir / f"{kind}_{role}.password"

    def password(self, kind: str, role: str) -> str:
        """The role's password, generated (URL-safe, 192 bits) the first time it is asked."""
        path = self.path(kind, role)
        if not path.exists():
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.dir, 0o700)
            fresh = path.with_name(f".{path.name}.{os.getpid()}")
            private_text(fresh, secrets.token_urlsafe(24) + "\n")
            try:
                with contextlib.suppress(FileExistsError):  # another process made it first
                    os.link(fresh, path)  # whole, or not at all
            finally:
                fresh.unlink()
        return path.read_text().strip()

    def existing(self, kind: str, role: str) -> str | None:
        path = self.path(kind, role)
        return path.read_text().strip() if path.exists() else None


def private_text(path: Path, text: str) -> None:
    """Write `text` to a file only its owner may read, from its first byte on."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)


def with_user(url: str, user: str, password: str) -> str:
    """`url` logging in as `user`: whatever credentials it carried are replaced."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}"))


def without_user(url: str) -> str:
    """`url` without its credentials: what may be printed or written down."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def public(urls: str | None) -> str:
    """Comma-separated URLs without their credentials."""
    return ",".join(without_user(u.strip()) for u in (urls or "").split(",") if u.strip())


def role_settings(settings: Settings, role: str) -> Settings:
    """The settings of one role's connections. With `credentials_dir` (the embedded servers
    of `smart up` and of the tests), its URLs log in with the role's own credentials (no
    database at all for a role without a PostgreSQL one); a role that has none there keeps
    the URLs as given, as every process does whose environment carries its credentials."""
    if settings.credentials_dir is None:
        return settings
    store = CredentialStore(settings.credentials_dir)
    nats_password = store.existing(NATS, role)
    if nats_password is None:
        return settings
    servers = ",".join(with_user(u, role, nats_password) for u in settings.nats_servers())
    pg_password = store.existing(POSTGRES, role)
    database = settings.database_url
    if database is not None:
        database = with_user(database, role, pg_password) if pg_password else None
    return settings.model_copy(update={"nats_url": servers, "database_url": database})


def operator_settings(settings: Settings) -> Settings:
    """The operator's settings on the data directory's servers: the NATS admin and the
    PostgreSQL operator (`smart replay`, `smart verify`, the tests' own connections)."""
    if settings.credentials_dir is None:
        return settings
    store = CredentialStore(settings.credentials_dir)
    admin, operator = store.existing(NATS, ADMIN), store.existing(POSTGRES, OPERATOR)
    if admin is None or operator is None:
        raise CredentialsMissing(f"no operator credentials in {settings.credentials_dir}")
    servers = ",".join(with_user(u, ADMIN, admin) for u in settings.nats_servers())
    database = (
        with_user(settings.database_url, OPERATOR, operator) if settings.database_url else None
    )
    return settings.model_copy(update={"nats_url": servers, "database_url": database})


def admin_settings(settings: Settings) -> Settings | None:
    """The NATS admin's settings, if this process holds the admin credential: it alone
    creates streams (a kabupaten's log, a service's buckets)."""
    if settings.credentials_dir is None:
        return None
    admin = CredentialStore(settings.credentials_dir).existing(NATS, ADMIN)
    if admin is None:
        return None
    servers = ",".join(with_user(u, ADMIN, admin) for u in settings.nats_servers())
    return settings.model_copy(update={"nats_url": servers, "database_url": None})


def inbox_prefix(role: str) -> str:
    """Where a role's replies arrive; its credentials may subscribe there and nowhere else
    under `_INBOX` (another role's replies stay unreadable)."""
    return f"_INBOX.{role}"


def _users(
    store: CredentialStore, services: Sequence[ServiceRole]
) -> list[tuple[str, str, Permissions | None]]:
    roles = [*TOOL_ROLES, *(s.name for s in services)]
    return [(role, store.password(NATS, role), permissions_of(role, services)) for role in roles]


def nats_authorization(store: CredentialStore, services: Sequence[ServiceRole]) -> str:
    """The `authorization` block of the embedded server: one user per role, no anonymous
    client (a client without a user is refused)."""
    lines = [
        f"    {{user: {_q(user)}, password: {_q(password)}{_with(perms)}}}"
        for user, password, perms in _users(store, services)
    ]
    return "authorization {\n  users = [\n" + "\n".join(lines) + "\n  ]\n}\n"


def _with(perms: Permissions | None) -> str:
    return "" if perms is None else f", permissions: {perms.conf()}"


def _q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def postgres_passwords(store: CredentialStore, services: Sequence[ServiceRole]) -> dict[str, str]:
    """The login roles of PostgreSQL and their passwords: one per service and the operator
    (the gateway, the signer and the auditor keep nothing there)."""
    return {
        role: store.password(POSTGRES, role) for role in (*(s.name for s in services), OPERATOR)
    }


def registered_roles() -> list[ServiceRole]:
    """The roles of the services this installation has (`services.registry`): their
    durable consumers and buckets, as their specs declare them."""
    from services.registry import available_specs  # noqa: PLC0415 - composition, not a layer

    return [service_role(spec) for spec in available_specs()]


def service_role(spec: ServiceSpec) -> ServiceRole:
    """A service's role: its name, its projections' durables, its buckets."""
    names_only = Settings(secret_key=SecretStr("-"))  # projections are built, never run
    durables = tuple(f"{spec.name}__{p.name}" for p in spec.projections(names_only))
    return ServiceRole(
        spec.name,
        durables,
        lambda kab: [b.name for b in spec.buckets(kab) if not b.objects],
        lambda kab: [b.name for b in spec.buckets(kab) if b.objects],
    )
