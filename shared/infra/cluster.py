"""Several nats-server processes on loopback: a JetStream cluster, kabupaten accounts, leaves."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nats.aio.client import Client as NATS
from nats.js.api import ExternalStream, StorageType, StreamConfig, StreamSource
from nats.js.errors import APIError

from shared.infra.embedded import InfrastructureError, _wait_for_port, nats_server_binary
from shared.infra.ports import free_port
from shared.tenancy import stream_name

HUB_DOMAIN = "hub"
SYSTEM_ACCOUNT = "SYS"
GATEWAY_ACCOUNT = "GATEWAY"


def _q(value: str) -> str:
    return json.dumps(value)


def _secret(value: str) -> str:
    """A password, or `$NAME`: a variable the server takes from its environment."""
    return value if value.startswith("$") else _q(value)


def _list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def kab_account(kab: str) -> str:
    return f"KAB_{kab}"


def leaf_domain(kec: str) -> str:
    """The JetStream domain of a kecamatan office's leaf node."""
    return f"kec{kec}"


@dataclass
class NatsNode:
    """One nats-server process; it keeps its ports and data across restarts."""

    name: str
    dir: Path
    port: int = field(default_factory=free_port)
    cluster_port: int = field(default_factory=free_port)
    leaf_port: int = field(default_factory=free_port)
    domain: str = HUB_DOMAIN
    routes: list[int] = field(default_factory=list)
    extra: str = ""
    proc: subprocess.Popen[bytes] | None = None

    def url(self, user: str | None = None, password: str | None = None) -> str:
        auth = f"{user}:{password}@" if user else ""
        return f"nats://{auth}127.0.0.1:{self.port}"

    def config(self) -> str:
        text = (
            f'server_name: "{self.name}"\nlisten: "127.0.0.1:{self.port}"\nmax_payload: 8MB\n'
            f'jetstream {{\n  store_dir: "{self.dir / "jetstream"}"\n  sync_interval: always\n'
            f'  domain: "{self.domain}"\n}}\n'
        )
        if self.routes:
            routes = ", ".join(f'"nats-route://127.0.0.1:{p}"' for p in self.routes)
            text += (
                f'cluster {{\n  name: "smart"\n  listen: "127.0.0.1:{self.cluster_port}"\n'
                f"  routes: [{routes}]\n}}\n"
            )
        if self.leaf_port:
            text += f'leafnodes {{\n  listen: "127.0.0.1:{self.leaf_port}"\n}}\n'
        return text + self.extra

    def start(self) -> None:
        if self.running:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = self.dir / "nats.conf"
        conf.write_text(self.config())
        log = (self.dir / "nats.log").open("ab")
        self.proc = subprocess.Popen(  # noqa: S603 - our own pinned binary and config
            [str(nats_server_binary()), "-c", str(conf)],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        _wait_for_port(self.port, self.proc, f"nats-server {self.name}", 20)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: what a power cut does (acknowledged writes are on disk already)."""
        if self.proc is not None and self.running:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.running:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


class NatsCluster:
    """N JetStream nodes routed to each other on free loopback ports, one data dir each."""

    def __init__(self, base: Path, size: int = 3, accounts: str = "") -> None:
        extra = 'include "accounts.conf"\n' if accounts else ""
        self.nodes = [NatsNode(f"n{i + 1}", base / f"n{i + 1}", extra=extra) for i in range(size)]
        for node in self.nodes:
            node.dir.mkdir(parents=True, exist_ok=True)
            (node.dir / "accounts.conf").write_text(accounts)
        if size > 1:
            for node in self.nodes:
                node.routes = [n.cluster_port for n in self.nodes if n is not node]

    def urls(self, user: str | None = None, password: str | None = None) -> str:
        """The value of SMART_NATS_URL: every node, comma-separated."""
        return ",".join(n.url(user, password) for n in self.nodes)

    def start(self) -> None:
        for node in self.nodes:
            node.start()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def leaf_node(
    base: Path,
    kec: str,
    hub_leaf_urls: Sequence[str],
    user: str = "",
    password: str = "",
    users: str = "",
) -> NatsNode:
    """A kecamatan office's server: its own JetStream domain, one link to the hub that never
    carries log subjects (`smart.>`); only the hub's sourcing of the office stream crosses.
    `users`: its `authorization` block (`Tenancy.office_authorization`)."""
    auth = f"{user}:{password}@" if user else ""
    urls = [u.replace("nats-leaf://", f"nats-leaf://{auth}") for u in hub_leaf_urls]
    remote = (
        f'leafnodes {{\n  reconnect: "1s"\n  remotes: [{{\n    urls: {_list(urls)}\n'
        '    deny_exports: ["smart.>", "smartrpc.>"]\n'
        '    deny_imports: ["smart.>", "smartrpc.>"]\n  }]\n}\n'
    )
    return NatsNode(f"leaf{kec}", base, domain=leaf_domain(kec), leaf_port=0, extra=remote + users)


def hub_leaf_url(node: NatsNode) -> str:
    return f"nats-leaf://127.0.0.1:{node.leaf_port}"


async def source_office(nc: NATS, kab: str, kec: str) -> None:
    """Make the hub's kabupaten stream source the office stream of kecamatan `kec` (idempotent):
    the hub keeps its position in the office stream, so a broken link resumes, never repeats."""
    js = nc.jetstream()
    info = await js.stream_info(stream_name(kab))
    config = info.config
    api = f"$JS.{leaf_domain(kec)}.API"
    sources = list(config.sources or [])
    if any(s.external and s.external.api == api for s in sources):
        return
    sources.append(
        StreamSource(
            name=stream_name(kab),
            filter_subject=f"smart.{kab}.{kec}.>",
            external=ExternalStream(api=api),
        )
    )
    config.sources = sources
    await js.update_stream(config)


async def wait_for_jetstream(nc: NATS, timeout: float = 30.0, replicas: int = 0) -> None:
    """Until the cluster has a meta leader, answers account info and, with `replicas`, can
    place a stream of that many replicas (every peer has joined)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            reply = await nc.request("$JS.API.INFO", b"", timeout=1.0)
            if b'"error"' not in reply.data and (not replicas or await _placeable(nc, replicas)):
                return
        except Exception as exc:
            if time.monotonic() > deadline:
                raise InfrastructureError(f"JetStream not ready: {exc}") from exc
        if time.monotonic() > deadline:
            raise InfrastructureError("JetStream not ready")
        await asyncio.sleep(0.2)


async def _placeable(nc: NATS, replicas: int) -> bool:
    js = nc.jetstream(timeout=2.0)
    name = f"PROBE_{uuid.uuid4().hex[:12]}"
    try:
        await js.add_stream(
            StreamConfig(
                name=name,
                subjects=[f"smartprobe.{name}"],
                storage=StorageType.MEMORY,
                num_replicas=replicas,
            )
        )
    except APIError:
        return False
    await js.delete_stream(name)
    return True
