"""PostgreSQL's side of the credentials: SCRAM passwords for every login over TCP, a login
role per service owning only its own schemas, and the set-up SQL that makes it so.

A service's schemas are the ones named after it (`donations`, `donations_keys`,
`donations__shadow`): it may create those and no other, and whatever anyone else (the
operator's tools, the set-up) creates in or as one of them is handed to it, so a rebuild
switched live by `smart replay` stays the service's. Another service's schemas it cannot
even look into. The superuser is used for set-up only, through the server's own socket."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence

from shared.db import ident

SUPERUSER = "postgres"
SCRAM_ITERATIONS = 4096


def scram_verifier(password: str, salt: bytes | None = None) -> str:
    """What PostgreSQL keeps of a SCRAM-SHA-256 password (RFC 5802, 7677): set as such, the
    password itself never reaches the server, its log or its catalog."""
    salt = salt or os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, SCRAM_ITERATIONS)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")
    b64 = base64.b64encode
    return (
        f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt).decode()}"
        f"${b64(stored_key).decode()}:{b64(server_key).decode()}"
    )


def hba_conf() -> str:
    """Every TCP login needs its SCRAM password; the superuser logs in through the socket
    only (in the data directory, 0700), as the server's own OS user (`pg_ident.conf`)."""
    return (
        "# Written by Jumat SMART at every start.\n"
        f"local  all  {SUPERUSER}  peer  map=smart\n"
        "host   all  all  127.0.0.1/32  scram-sha-256\n"
        "host   all  all  ::1/128       scram-sha-256\n"
    )


def ident_conf(os_user: str) -> str:
    return f"# Written by Jumat SMART at every start.\nsmart  {os_user}  {SUPERUSER}\n"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def setup_sql(services: Sequence[str], passwords: Mapping[str, str], operator: str) -> str:
    """Idempotent, run by the superuser at every start: the login roles and their
    passwords, the operator a member of each service's role, the schema guard, and the
    schemas of a data directory made before the roles handed to their services."""
    names = [ident(s) for s in services]
    roles = [*names, ident(operator)]
    sql = [_role(role, passwords[role]) for role in roles]
    sql.append(
        "do $$ begin execute format('grant connect, create, temporary on database %I to "
        + ", ".join(roles)
        + "', current_database()); end $$;"
    )
    sql.append(f"grant {', '.join(names)} to {ident(operator)} with set true, inherit true;")
    sql.append("revoke create on schema public from public;")
    sql.append(f"grant usage, create on schema public to {ident(operator)};")
    sql.append(f"grant pg_checkpoint to {ident(operator)};")
    sql.append(_guard(names))
    sql.append(_hand_over(names))
    return "\n".join(sql) + "\n"


def _role(role: str, password: str) -> str:
    return (
        f"do $$ begin if not exists (select from pg_roles where rolname = {_literal(role)})"
        f" then create role {role}; end if; end $$;\n"
        f"alter role {role} with login nosuperuser nocreatedb nocreaterole noreplication"
        f" nobypassrls password {_literal(scram_verifier(password))};"
    )


def _array(names: Sequence[str]) -> str:
    return "array[" + ", ".join(_literal(n) for n in names) + "]::text[]"


_SERVICE_OF = "(select s from unnest(services) s where {name} = s or starts_with({name}, s || '_'))"


def _guard(services: Sequence[str]) -> str:
    """An event trigger at the end of every CREATE/ALTER SCHEMA and CREATE TABLE: a service
    may name a schema only after itself; a schema named after a service, and each table
    made in one of its schemas, is given to that service."""
    return f"""
create or replace function public.smart_schema_guard() returns event_trigger
language plpgsql set search_path = pg_catalog as $fn$
declare
  services text[] := {_array(services)};
  cmd record;
  name text;
  owner text;
  wanted text;
begin
  for cmd in select * from pg_event_trigger_ddl_commands() loop
    if cmd.object_type = 'schema' then
      select nspname, nspowner::regrole::text into name, owner
        from pg_namespace where oid = cmd.objid;
      wanted := {_SERVICE_OF.format(name="name")};
      if current_user = any(services) and wanted is distinct from current_user then
        raise exception 'role % may only make schemas named % or %_...',
          current_user, current_user, current_user;
      end if;
      if wanted is not null and owner <> wanted then
        execute format('alter schema %I owner to %I', name, wanted);
      end if;
    elsif cmd.object_type = 'table' then
      select n.nspowner::regrole::text, c.relowner::regrole::text into wanted, owner
        from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = cmd.objid;
      if wanted = any(services) and owner <> wanted then
        execute format('alter table %s owner to %I', cmd.object_identity, wanted);
      end if;
    end if;
  end loop;
end $fn$;
do $$ begin
  if not exists (select from pg_event_trigger where evtname = 'smart_schema_guard') then
    create event trigger smart_schema_guard on ddl_command_end
      when tag in ('CREATE SCHEMA', 'ALTER SCHEMA', 'CREATE TABLE', 'CREATE TABLE AS',
                   'SELECT INTO')
      execute function public.smart_schema_guard();
  end if;
end $$;"""


def _hand_over(services: Sequence[str]) -> str:
    """Schemas and tables of a service made by someone else (before roles existed)."""
    return f"""
do $$
declare
  services text[] := {_array(services)};
  sch record;
  tbl record;
begin
  for sch in select n.nspname, n.nspowner::regrole::text as owner,
                    {_SERVICE_OF.format(name="n.nspname")} as wanted
               from pg_namespace n loop
    continue when sch.wanted is null;
    if sch.owner <> sch.wanted then
      execute format('alter schema %I owner to %I', sch.nspname, sch.wanted);
    end if;
    for tbl in select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname = sch.nspname and c.relkind in ('r', 'p')
                  and c.relowner::regrole::text <> sch.wanted loop
      execute format('alter table %I.%I owner to %I', sch.nspname, tbl.relname, sch.wanted);
    end loop;
  end loop;
end $$;"""
