"""`smart provision`: what only a deployment's admin creates, before its services start.

NATS (`SMART_NATS_URL` with the admin of the kabupaten's account): each kabupaten's log
stream and every service's buckets of it; `--gateway` (with the gateway account's admin):
the gateway's buckets. PostgreSQL (`SMART_DATABASE_URL` with the superuser, used for this
set-up only): a login role per service and the operator's, their passwords from
`SMART_DB_PASSWORD_<ROLE>`, and the guard keeping each service to its own schemas. Run it
again at will: what exists is left as it is, the passwords are set again."""

from __future__ import annotations

import argparse
import os

import asyncpg
import nats

from services.cli.context import CannotRun
from services.registry import available_specs
from shared.config import Settings
from shared.infra.credentials import OPERATOR
from shared.infra.pgauth import setup_sql
from shared.provision import Provisioner
from shared.tenancy import undot

PASSWORD_ENV = "SMART_DB_PASSWORD_"  # noqa: S105 - the prefix of variables' names


def add_provision_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("provision", help="as the admin: streams, buckets, PostgreSQL roles")
    p.add_argument("--kab", action="append", default=[], help="a kabupaten's log and buckets")
    p.add_argument("--gateway", action="store_true", help="the gateway's buckets")


async def provision(kabupaten: list[str], gateway: bool) -> int:
    settings = Settings()
    if not settings.nats_servers():
        raise CannotRun("SMART_NATS_URL must name the servers, with the admin's credentials")
    specs = available_specs()
    roles = [s.name for s in specs]
    sql = setup_sql(roles, passwords(roles), OPERATOR) if settings.database_url else None
    kabs = [undot(k) for k in kabupaten]
    provisioner = Provisioner(settings, lambda kab: [b for s in specs for b in s.buckets(kab)])
    try:
        await provisioner.all_of(kabs)
    finally:
        await provisioner.close()
    for kab in kabs:
        print(f"kabupaten {kab}: its log and its services' buckets exist")
    if gateway:
        await _gateway(settings)
        print("gateway: its buckets exist")
    if settings.database_url and sql:
        conn = await asyncpg.connect(settings.database_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()
        print(f"PostgreSQL: roles {', '.join([*roles, OPERATOR])}, each service its own schemas")
    return 0


async def _gateway(settings: Settings) -> None:
    from services.gateway.server import provision_gateway  # noqa: PLC0415 - optional package

    nc = await nats.connect(servers=settings.nats_servers(), name="smart-provision")
    try:
        await provision_gateway(nc.jetstream(), settings.stream_replicas)
    finally:
        await nc.close()


def passwords(roles: list[str]) -> dict[str, str]:
    """Each role's password from the environment; a missing one is named."""
    found: dict[str, str] = {}
    for role in [*roles, OPERATOR]:
        name = f"{PASSWORD_ENV}{role.upper()}"
        value = os.environ.get(name, "")
        if not value:
            raise CannotRun(f"{name} is not set: the password of PostgreSQL role {role}")
        found[role] = value
    return found
