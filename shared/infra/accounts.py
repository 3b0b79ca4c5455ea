"""The NATS accounts of a deployment (`deploy/nats/accounts.conf`): the roles of `smart up`
per kabupaten, each kabupaten its own account, the gateway its own."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from shared.infra.cluster import GATEWAY_ACCOUNT, SYSTEM_ACCOUNT, kab_account
from shared.infra.credentials import registered_roles
from shared.infra.permissions import (
    ADMIN,
    AUDIT,
    AUDITOR,
    GATEWAY,
    Permissions,
    ServiceRole,
    permissions_of,
)

GATEWAY_ADMIN = "gateway_admin"


def _q(value: str) -> str:
    return json.dumps(value)


def _secret(value: str) -> str:
    """A password, or `$NAME`: a variable the server takes from its environment."""
    return value if value.startswith("$") else _q(value)


def env_password(user: str) -> str:
    """`$<USER>_PASSWORD`: a password the servers take from their environment."""
    return f"${user.upper()}_PASSWORD"


@dataclass(frozen=True)
class Tenancy:
    """Credentials of a deployment, the roles of `smart up` per kabupaten: an account per
    kabupaten (its own log, buckets and consumers; another's are not even visible) with a
    user per role, its admin alone managing streams; a leaf user per office; the gateway's
    own account, which only imports the kabupaten's RPC subjects (and its admin, for the
    gateway's buckets). `password(user)`: `$<USER>_PASSWORD` unless given."""

    kabupaten: Sequence[str]
    leaves: Sequence[str] = ()
    password: Callable[[str], str] = env_password
    services: Sequence[ServiceRole] | None = None
    """None: the services this installation has."""
    gateway: bool = True

    def user(self, kab: str, role: str = ADMIN) -> str:
        return f"kab{kab}_{role}"

    def leaf_user(self, kec: str) -> str:
        return f"leaf{kec}"

    def roles(self) -> list[ServiceRole]:
        return list(registered_roles() if self.services is None else self.services)

    def users(self) -> list[str]:
        """Every user of every account, as the servers' environment must give passwords."""
        names = [self.user(k, r) for k in sorted(self.kabupaten) for r in self._role_names()]
        names += [self.leaf_user(kec) for kec in sorted(self.leaves)]
        return [*names, *((GATEWAY, GATEWAY_ADMIN) if self.gateway else ())]

    def _role_names(self) -> list[str]:
        return [ADMIN, *(r.name for r in self.roles()), AUDIT, AUDITOR]

    def _entry(self, user: str, perms: Permissions | None) -> str:
        extra = f", permissions: {perms.conf()}" if perms is not None else ""
        return f"      {{user: {_q(user)}, password: {_secret(self.password(user))}{extra}}}"

    def office_user(self, kec: str, role: str = ADMIN) -> str:
        return f"office{kec}_{role}"

    def office_authorization(self, kec: str) -> str:
        """The users of a kecamatan office's own server: the kabupaten's roles, with the
        office's own passwords; nobody anonymous there either."""
        roles = self.roles()
        users = [
            self._entry(self.office_user(kec, role), permissions_of(role, roles, kec[:4]))
            for role in self._role_names()
        ]
        return "authorization {\n  users: [\n" + "\n".join(users) + "\n  ]\n}\n"

    def accounts_conf(self) -> str:
        blocks = [f"  {SYSTEM_ACCOUNT}: {{}}"]
        roles = self.roles()
        for kab in sorted(self.kabupaten):
            users = [
                self._entry(self.user(kab, role), permissions_of(role, roles, kab))
                for role in self._role_names()
            ]
            users += [
                self._entry(self.leaf_user(kec), None)
                for kec in sorted(self.leaves)
                if kec.startswith(kab)
            ]
            blocks.append(
                f"  {kab_account(kab)}: {{\n    jetstream: enabled\n"
                f"    users: [\n{chr(10).join(users)}\n    ]\n"
                f"    exports: [{{service: {_q(f'smartrpc.{kab}.>')}}}]\n  }}"
            )
        if self.gateway:
            imports = ", ".join(
                f"{{service: {{account: {kab_account(k)}, subject: {_q(f'smartrpc.{k}.>')}}}}}"
                for k in sorted(self.kabupaten)
            )
            users = [
                self._entry(GATEWAY, permissions_of(GATEWAY, roles)),
                self._entry(GATEWAY_ADMIN, None),
            ]
            blocks.append(
                f"  {GATEWAY_ACCOUNT}: {{\n    jetstream: enabled\n"
                f"    users: [\n{chr(10).join(users)}\n    ]\n"
                f"    imports: [{imports}]\n  }}"
            )
        return f"system_account: {SYSTEM_ACCOUNT}\naccounts: {{\n" + "\n".join(blocks) + "\n}\n"
