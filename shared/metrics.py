"""Operations: Prometheus metrics, liveness and readiness over HTTP, JSON logs without PII."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from faststream import BaseMiddleware

from shared.log.eventstore import Appended, EventStore

if TYPE_CHECKING:
    from faststream.message import StreamMessage
    from nats.aio.client import Client as NATS

    from shared.readside.service import ReadSide

log = logging.getLogger("smart.metrics")
Labels = tuple[tuple[str, str], ...]
_HELP = {
    "smart_commands_total": ("counter", "RPC requests handled, by service, name and outcome."),
    "smart_events_appended_total": ("counter", "Events this process appended to the log."),
    "smart_projector_lag": ("gauge", "Events a projector still has to apply."),
    "smart_projector_position": ("gauge", "Stream sequence a projector has applied up to."),
    "smart_dead_letters_open": ("gauge", "Dead-lettered events not yet resolved."),
    "smart_up": ("gauge", "1 while the service's NATS connection is open."),
    "smart_checkpoints_refused_total": (
        "counter",
        "Rounds the audit signer refused to sign a log that does not verify, by stream.",
    ),
}


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    return {404: "not_found", 409: "refused", 422: "invalid", 503: "unavailable"}.get(
        status, "error"
    )


class Metrics:
    """The counters of one service in this process."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.counters: dict[tuple[str, Labels], float] = defaultdict(float)

    def inc(self, metric: str, value: float = 1, **labels: str) -> None:
        key = tuple(sorted({"service": self.service, **labels}.items()))
        self.counters[(metric, key)] += value

    def command(self, name: str, status: int) -> None:
        self.inc("smart_commands_total", name=name, outcome=outcome_of(status))

    def count(self, metric: str, **labels: str) -> float:
        """The sum of `metric` over every series carrying `labels`."""
        want = set(labels.items())
        return sum(v for (m, lab), v in self.counters.items() if m == metric and want <= set(lab))

    def middleware(self) -> Callable[..., BaseMiddleware]:
        """A faststream middleware counting every `smartrpc.<kab>.<svc>.<name>` request."""
        metrics = self

        class Counting(BaseMiddleware):
            async def consume_scope(
                self, call_next: Callable[[Any], Awaitable[Any]], msg: StreamMessage[Any]
            ) -> Any:
                parts = str(getattr(msg.raw_message, "subject", "")).split(".")
                try:
                    result = await call_next(msg)
                except BaseException:
                    if parts[0] == "smartrpc" and len(parts) == 4:
                        metrics.command(parts[3], 500)
                    raise
                if parts[0] == "smartrpc" and len(parts) == 4:
                    metrics.command(parts[3], int(getattr(result, "status", 200)))
                return result

        return Counting


class MeteredEventStore(EventStore):
    """The event store, counting the events this process appended (duplicates excluded)."""

    def __init__(self, nc: Any, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(nc, **kwargs)
        self.metrics = metrics

    async def append(self, *args: Any, **kwargs: Any) -> Appended:
        appended = await super().append(*args, **kwargs)
        if not appended.duplicate and appended.events:
            self.metrics.inc("smart_events_appended_total", len(appended.events))
        return appended


class Observed(Protocol):
    """What the probes read of a running service (a `shared.runtime.Runtime` is one)."""

    @property
    def name(self) -> str: ...

    @property
    def nc(self) -> NATS: ...

    @property
    def readside(self) -> ReadSide: ...

    @property
    def metrics(self) -> Metrics: ...


def _line(name: str, labels: Labels, value: float) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in labels)
    return f"{name}{{{inner}}} {value:g}"


async def _gauges(runtime: Observed) -> list[tuple[str, Labels, float]]:
    base = (("service", runtime.name),)
    rows: list[tuple[str, Labels, float]] = [
        ("smart_up", base, 0.0 if runtime.nc.is_closed or not runtime.nc.is_connected else 1.0)
    ]
    for row in await runtime.readside.lag():
        labels = (*base, ("projection", str(row["projection"])), ("stream", str(row["stream"])))
        rows.append(("smart_projector_lag", labels, float(str(row["pending"]))))
        rows.append(("smart_projector_position", labels, float(str(row["position"]))))
    dead = await runtime.readside.checkpoints.dead_letters(open_only=True)
    rows.append(("smart_dead_letters_open", base, float(len(dead))))
    return rows


async def exposition(runtimes: Sequence[Observed]) -> str:
    """Every metric of the given services, in the Prometheus text format 0.0.4."""
    samples: dict[str, list[str]] = defaultdict(list)
    for runtime in runtimes:
        for (name, labels), value in sorted(runtime.metrics.counters.items()):
            samples[name].append(_line(name, labels, value))
        for name, labels, value in await _gauges(runtime):
            samples[name].append(_line(name, labels, value))
    out: list[str] = []
    for name, (kind, text) in _HELP.items():
        out += [f"# HELP {name} {text}", f"# TYPE {name} {kind}", *samples.get(name, [])]
    return "\n".join(out) + "\n"


def alive(runtimes: Sequence[Observed]) -> bool:
    """Liveness: the process answers and no NATS connection was given up."""
    return all(not r.nc.is_closed for r in runtimes)


async def ready(runtimes: Sequence[Observed], max_lag: int) -> bool:
    """Readiness: connected, and every projector within `max_lag` events of the log's head."""
    for runtime in runtimes:
        if not runtime.nc.is_connected:
            return False
        for row in await runtime.readside.lag():
            pending = int(str(row["pending"]))
            if pending < 0 or pending > max_lag:
                return False
    return True


class Supervised(Protocol):
    """What the probes read of a supervisor (`shared.infra.supervisor.Supervisor` is one)."""

    @property
    def whole(self) -> bool: ...

    def exposition(self) -> str: ...


class OpsServer:
    """`/metrics`, `/healthz` and `/readyz` for the services of one process (stdlib HTTP).
    `runtimes` may be a function giving the ones running now (a supervisor restarts them)."""

    def __init__(
        self,
        runtimes: Sequence[Observed] | Callable[[], Sequence[Observed]],
        port: int,
        max_lag: int = 100,
        supervisor: Supervised | None = None,
    ) -> None:
        if callable(runtimes):
            self._runtimes = runtimes
        else:
            fixed = list(runtimes)
            self._runtimes = lambda: fixed
        self.port = port
        self.max_lag = max_lag
        self.supervisor = supervisor
        self.server: asyncio.Server | None = None

    @property
    def runtimes(self) -> list[Observed]:
        return list(self._runtimes())

    async def start(self, host: str = "0.0.0.0") -> int:  # noqa: S104 - probes come from outside
        self.server = await asyncio.start_server(self._serve, host, self.port)
        self.port = int(self.server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def answer(self, path: str) -> tuple[int, str, str]:
        if path == "/metrics":
            text = await exposition(self.runtimes)
            if self.supervisor is not None:
                text += self.supervisor.exposition()
            return 200, "text/plain; version=0.0.4", text
        if path == "/healthz":
            ok = alive(self.runtimes)
        elif path == "/readyz":
            whole = self.supervisor is None or self.supervisor.whole
            ok = whole and await ready(self.runtimes, self.max_lag)
        else:
            return 404, "text/plain", "not found\n"
        return (200 if ok else 503), "text/plain", "ok\n" if ok else "unavailable\n"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            path = request.split(b" ", 2)[1].decode().split("?", 1)[0]
            try:
                status, kind, body = await self.answer(path)
            except Exception:
                log.exception("ops endpoint %s failed", path)
                status, kind, body = 503, "text/plain", "unavailable\n"
            data = body.encode()
            writer.write(
                f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                f"Content-Type: {kind}\r\nContent-Length: {len(data)}\r\n"
                "Connection: close\r\n\r\n".encode()
                + data
            )
            await writer.drain()
        except (OSError, asyncio.IncompleteReadError, TimeoutError, IndexError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


_DIGITS = re.compile(r"\d{16}")
_EXTRAS = ("service", "projection", "stream", "subject", "position", "seq")


def redact(text: str, limit: int = 2000) -> str:
    """No NIK / No. KK (16 digits) and no unbounded dumps in a log line."""
    text = _DIGITS.sub("[redacted]", text)
    return text if len(text) <= limit else text[:limit] + "...[truncated]"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and a few known fields only;
    an exception is its type and redacted message, never the locals or a request body."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        entry.update({k: getattr(record, k) for k in _EXTRAS if hasattr(record, k)})
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            entry["error"] = (
                f"{type(exc).__name__}: {redact(str(exc).splitlines()[0] if str(exc) else '', 300)}"
            )
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(fmt: str, level: int | None = None) -> None:
    """`SMART_LOG_FORMAT=json`: every root handler writes JSON lines."""
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    if level is not None:
        root.setLevel(level)
    if fmt == "json":
        for handler in root.handlers:
            handler.setFormatter(JsonFormatter())
