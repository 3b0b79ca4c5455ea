"""Free loopback ports, remembered per data directory so a restart can keep them."""

from __future__ import annotations

import json
import socket
from pathlib import Path


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Can a server listen there? (As NATS and PostgreSQL do, past connections of an
    earlier run still in TIME_WAIT do not count.)"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
        return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def remembered_port(data_dir: Path, name: str) -> int:
    """The port `name` used last time in `data_dir` if it is still free, else a new one."""
    path = data_dir / "ports.json"
    known: dict[str, int] = json.loads(path.read_text()) if path.exists() else {}
    port = known.get(name)
    if port is None or not port_is_free(port):
        port = free_port()
        known[name] = port
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(known, indent=2))
    return port
