"""Infrastructure from testcontainers, when a Docker engine answers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from shared.infra.embedded import NATS_VERSION
from shared.infra.local import Endpoints


def docker_available() -> bool:
    try:
        import docker  # noqa: PLC0415

        client = docker.from_env(timeout=3)
        client.ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def containers() -> Iterator[Endpoints]:
    from testcontainers.core.container import DockerContainer  # noqa: PLC0415
    from testcontainers.core.waiting_utils import wait_for_logs  # noqa: PLC0415
    from testcontainers.postgres import PostgresContainer  # noqa: PLC0415

    nats_c = DockerContainer(f"nats:{NATS_VERSION}").with_command("-js").with_exposed_ports(4222)
    with nats_c, PostgresContainer("postgres:16", driver=None) as pg:
        wait_for_logs(nats_c, "Server is ready")
        host = nats_c.get_container_host_ip()
        port = nats_c.get_exposed_port(4222)
        yield Endpoints(f"nats://{host}:{port}", pg.get_connection_url())
