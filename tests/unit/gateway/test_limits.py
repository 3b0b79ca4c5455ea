"""Body limits: a body over its limit is refused 413 in the error shape before it is read
whole and before anything is forwarded; an import has its own, larger limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from services.gateway.app import create_app
from services.gateway.auth import Role
from services.gateway.limits import BodyLimits
from shared.config import Settings
from tests.unit.gateway.test_routes import BASE, Services, as_

pytestmark = pytest.mark.unit

LIMITS = BodyLimits(json=1_000, csv=5_000)


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(NATS(), "unit-secret", limits=LIMITS)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Services:
    fake = Services()
    monkeypatch.setattr("services.gateway.bridge.call", fake.call)
    return fake


async def chunks(size: int, piece: int = 256) -> AsyncIterator[bytes]:
    """A body sent without a Content-Length (chunked), `size` bytes in all."""
    for start in range(0, size, piece):
        yield b"x" * min(piece, size - start)


def assert_too_large(resp: httpx.Response, limit: int) -> None:
    assert resp.status_code == 413, resp.text
    error = resp.json()["error"]
    assert (error["code"], error["field"]) == ("BODY_TOO_LARGE", "body")
    assert error["limit_bytes"] == limit
    assert error["message"] != error["message_en"]


def test_the_limits_are_settings_with_their_defaults() -> None:
    assert BodyLimits.of(Settings()) == BodyLimits(json=2_000_000, csv=20_000_000)
    raised = Settings(max_json_body_bytes=10, max_import_body_bytes=20)
    assert BodyLimits.of(raised) == BodyLimits(json=10, csv=20)


async def test_a_json_body_over_its_declared_limit_is_refused_unread(
    http: httpx.AsyncClient, services: Services
) -> None:
    body = b'{"supplier": "' + b"x" * 2_000 + b'"}'
    resp = await http.post(
        f"{BASE}/procurements",
        content=body,
        headers={**as_(Role.CAMAT), "content-type": "application/json"},
    )
    assert_too_large(resp, 1_000)
    assert services.sent == []


async def test_a_chunked_body_is_refused_once_it_passes_the_limit(
    http: httpx.AsyncClient, services: Services
) -> None:
    resp = await http.post(f"{BASE}/procurements", content=chunks(5_000), headers=as_(Role.CAMAT))
    assert "content-length" not in resp.request.headers
    assert_too_large(resp, 1_000)
    assert services.sent == []


async def test_a_body_within_the_limit_is_forwarded(
    http: httpx.AsyncClient, services: Services
) -> None:
    resp = await http.post(f"{BASE}/procurements", json={"x": "y" * 900}, headers=as_(Role.CAMAT))
    assert resp.status_code == 200
    assert len(services.sent) == 1


@pytest.mark.parametrize("how", ["raw", "multipart", "chunked"])
async def test_an_import_has_its_own_larger_limit(
    http: httpx.AsyncClient, services: Services, how: str
) -> None:
    def send(size: int) -> dict[str, object]:
        text = b"no_kk,nik\n" + b"1" * size
        if how == "multipart":
            return {"files": {"file": ("a.csv", text)}, "headers": as_(Role.CAMAT)}
        content = chunks(size) if how == "chunked" else text
        return {"content": content, "headers": {**as_(Role.CAMAT), "content-type": "text/csv"}}

    within = await http.post(f"{BASE}/households/import", **send(3_000))  # type: ignore[arg-type]
    assert within.status_code == 200
    assert len(services.sent) == 1
    over = await http.post(f"{BASE}/households/import", **send(6_000))  # type: ignore[arg-type]
    assert_too_large(over, 5_000)
    assert len(services.sent) == 1


async def test_the_dashboards_import_has_the_import_limit_and_other_pages_the_json_one(
    http: httpx.AsyncClient,
) -> None:
    resp = await http.post("/dasbor/3520/352005/impor", content=b"x" * 6_000)
    assert_too_large(resp, 5_000)
    resp = await http.post("/masuk", content=b"x" * 2_000)
    assert_too_large(resp, 1_000)
