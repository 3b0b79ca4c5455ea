"""Asking every service whether it is up and caught up (the API's /health, the system page)."""

from __future__ import annotations

import json
from typing import Any

from nats.aio.client import Client as NATS

from services.registry import SERVICE_NAMES
from shared.runtime import health_subject

HEALTH_TIMEOUT_S = 2.0


async def service_health(nc: NATS) -> dict[str, Any]:
    services: dict[str, Any] = {}
    for name in SERVICE_NAMES:
        try:
            msg = await nc.request(health_subject(name), b"{}", timeout=HEALTH_TIMEOUT_S)
            services[name] = json.loads(msg.data)
        except Exception:
            services[name] = {"service": name, "up": False}
    return services
