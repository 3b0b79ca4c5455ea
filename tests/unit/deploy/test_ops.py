"""Metrics exposition, health and readiness answers, and JSON log lines without personal data."""

from __future__ import annotations

import asyncio
import json
import logging
from types import SimpleNamespace
from typing import Any

import pytest

from shared.metrics import JsonFormatter, Metrics, OpsServer, exposition, outcome_of, redact

pytestmark = pytest.mark.unit


def fake_runtime(pending: int = 0, dead: int = 0, connected: bool = True) -> Any:
    metrics = Metrics("donations")

    async def lag() -> list[dict[str, object]]:
        return [{"projection": "fund", "stream": "SMART_3520", "position": 40, "pending": pending}]

    async def dead_letters(open_only: bool = True) -> list[object]:
        return [object()] * dead

    return SimpleNamespace(
        name="donations",
        metrics=metrics,
        nc=SimpleNamespace(is_closed=not connected, is_connected=connected),
        readside=SimpleNamespace(lag=lag, checkpoints=SimpleNamespace(dead_letters=dead_letters)),
    )


def test_commands_are_counted_by_name_and_outcome() -> None:
    metrics = Metrics("donations")
    metrics.command("donation_receive", 201)
    metrics.command("donation_receive", 201)
    metrics.command("donation_receive", 409)
    metrics.command("fund", 200)
    assert metrics.count("smart_commands_total", name="donation_receive") == 3
    assert metrics.count("smart_commands_total", name="donation_receive", outcome="ok") == 2
    assert metrics.count("smart_commands_total", outcome="refused") == 1
    assert [outcome_of(s) for s in (200, 404, 409, 422, 500, 503)] == [
        "ok",
        "not_found",
        "refused",
        "invalid",
        "error",
        "unavailable",
    ]


async def test_the_exposition_has_counters_lag_and_dead_letters() -> None:
    runtime = fake_runtime(pending=7, dead=2)
    runtime.metrics.command("donation_receive", 201)
    runtime.metrics.inc("smart_events_appended_total", 3)
    text = await exposition([runtime])
    lines = text.splitlines()
    assert "# TYPE smart_commands_total counter" in lines
    assert (
        'smart_commands_total{name="donation_receive",outcome="ok",service="donations"} 1' in lines
    )
    assert 'smart_events_appended_total{service="donations"} 3' in lines
    assert (
        'smart_projector_lag{service="donations",projection="fund",stream="SMART_3520"} 7' in lines
    )
    assert 'smart_dead_letters_open{service="donations"} 2' in lines
    assert 'smart_up{service="donations"} 1' in lines


async def test_ready_only_when_caught_up_alive_while_the_connection_is_kept() -> None:
    assert (await OpsServer([fake_runtime(pending=0)], 0).answer("/readyz"))[0] == 200
    assert (await OpsServer([fake_runtime(pending=500)], 0).answer("/readyz"))[0] == 503
    assert (await OpsServer([fake_runtime(pending=-1)], 0).answer("/readyz"))[0] == 503
    assert (await OpsServer([fake_runtime(connected=False)], 0).answer("/readyz"))[0] == 503
    assert (await OpsServer([fake_runtime(pending=500)], 0).answer("/healthz"))[0] == 200
    assert (await OpsServer([fake_runtime(connected=False)], 0).answer("/healthz"))[0] == 503
    assert (await OpsServer([fake_runtime()], 0).answer("/nope"))[0] == 404


async def test_the_ops_server_answers_http() -> None:
    server = OpsServer([fake_runtime(pending=3)], 0, max_lag=1)
    port = await server.start("127.0.0.1")
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
        response = await reader.read()
        writer.close()
    finally:
        await server.stop()
    assert response.startswith(b"HTTP/1.1 503")


def record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("smart.rpc", logging.ERROR, __file__, 1, msg, args, None)
    rec.__dict__.update(extra)
    return rec


def test_json_log_lines_carry_no_nik_and_no_request_body() -> None:
    formatter = JsonFormatter()
    rec = record("household %s refused", "3520051234567890", body={"nik": "x"}, service="dist")
    line = json.loads(formatter.format(rec))
    assert line["msg"] == "household [redacted] refused"
    assert line["service"] == "dist"
    assert line["level"] == "ERROR"
    assert "body" not in line
    assert "nik" not in json.dumps(line)


def test_an_exception_is_logged_as_its_type_and_redacted_first_line() -> None:
    error = ValueError("No. KK 3520050101010001 tidak valid\nSecond line with Budi")
    rec = record("failed")
    rec.exc_info = (ValueError, error, None)
    line = json.loads(JsonFormatter().format(rec))
    assert line["error"] == "ValueError: No. KK [redacted] tidak valid"
    assert "Budi" not in json.dumps(line)
    assert redact("x" * 3000).endswith("...[truncated]")
