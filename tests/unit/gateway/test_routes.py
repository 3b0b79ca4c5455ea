"""The generated routes: who may write, and what each path sends to its service's RPC."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS

from services.gateway.app import create_app
from services.gateway.auth import Role, issue_token
from shared.contracts import SERVICES, Operation, operations
from shared.edge.rpc import RpcReply, RpcRequest, Scope

pytestmark = pytest.mark.unit

SECRET = "unit-secret"
KAB, KEC, DESA = "3520", "352005", "3520052004"
BASE = f"/api/v1/{KAB}/{KEC}"
WRITES = [op for op in operations() if op.write]


@dataclass
class Services:
    """Stands in for the services: records each request, answers `reply`."""

    reply: RpcReply = field(default_factory=lambda: RpcReply(data={}))
    sent: list[tuple[str, str, RpcRequest]] = field(default_factory=list)

    async def call(
        self, nc: Any, service: str, name: str, request: RpcRequest, retries: int = 1
    ) -> RpcReply:
        self.sent.append((service, name, request))
        return self.reply


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Services:
    fake = Services()
    monkeypatch.setattr("services.gateway.bridge.call", fake.call)
    return fake


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(NATS(), SECRET)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


def as_(role: Role, desa: str | None = None) -> dict[str, str]:
    token = issue_token(SECRET, sub="unit", role=role, kab=KAB, kec=KEC, desa=desa)
    return {"Authorization": f"Bearer {token}"}


def url(op: Operation) -> str:
    return BASE + op.path.replace("{id}", "0190a3f4-0000-7000-8000-000000000001")


@pytest.mark.parametrize("op", WRITES, ids=lambda op: op.operation_id)
@pytest.mark.parametrize("role", [Role.CAMAT, Role.BENDAHARA, Role.OPERATOR, Role.AUDITOR])
async def test_a_write_is_sent_only_by_its_writers(
    http: httpx.AsyncClient, services: Services, op: Operation, role: Role
) -> None:
    headers = as_(role, DESA if role is Role.OPERATOR else None)
    if op.body == "file":
        upload = {"file": ("bukti.png", b"\x89PNG\r\n\x1a\n", "image/png")}
        resp = await http.request(op.method, url(op), headers=headers, files=upload)
    else:
        headers["content-type"] = "text/csv"
        resp = await http.request(op.method, url(op), headers=headers, content=b"{}")
    if role.value in op.writers:
        assert [(s, n) for s, n, _ in services.sent] == [(op.service, op.rpc)]
    else:
        assert resp.status_code == 403
        assert resp.json()["error"]["code"] == "FORBIDDEN"
        assert services.sent == []


async def test_a_write_forwards_its_body_unvalidated_with_the_callers_scope(
    http: httpx.AsyncClient, services: Services
) -> None:
    services.reply = RpcReply(status=201, position=41, data={"donation_id": "d", "receipt_no": 1})
    resp = await http.post(
        f"{BASE}/donations", json={"amount_idr": "lots"}, headers=as_(Role.CAMAT)
    )
    assert (resp.status_code, resp.json()["position"]) == (201, 41)
    [(service, name, request)] = services.sent
    assert (service, name, request.body) == (
        "donations",
        "donation_receive",
        {"amount_idr": "lots"},
    )
    assert request.scope == Scope(role="camat", kab=KAB, kec=KEC)


async def test_a_read_forwards_its_query_fields_and_the_path_id(
    http: httpx.AsyncClient, services: Services
) -> None:
    query = {"year": "2024", "month": "3", "other": "x", "wait_for": "5"}
    await http.get(f"{BASE}/activities", params=query, headers=as_(Role.CAMAT))
    await http.get(f"{BASE}/households/abc", headers=as_(Role.OPERATOR, DESA))
    activities, household = (request for _, _, request in services.sent)
    assert (activities.params, activities.wait_for) == ({"year": "2024", "month": "3"}, 5)
    assert household.params == {"id": "abc"}
    assert household.scope == Scope(role="operator", kab=KAB, kec=KEC, desa=DESA)


@pytest.mark.parametrize("how", ["raw", "multipart"])
async def test_an_import_sends_the_csv_text(
    http: httpx.AsyncClient, services: Services, how: str
) -> None:
    text = "no_kk;nik\n1;2\n"
    sent: dict[str, Any] = (
        {"content": text.encode(), "headers": {**as_(Role.CAMAT), "content-type": "text/csv"}}
        if how == "raw"
        else {"files": {"file": ("a.csv", text.encode())}, "headers": as_(Role.CAMAT)}
    )
    await http.post(f"{BASE}/households/import", **sent)
    [(_, name, request)] = services.sent
    assert (name, request.body) == ("household_import", {"csv": text})


async def test_the_summary_merges_every_services_figures(
    http: httpx.AsyncClient, services: Services
) -> None:
    services.reply = RpcReply(data={"donations_idr": 5})
    resp = await http.get(f"{BASE}/summary", params={"year": "2024"}, headers=as_(Role.AUDITOR))
    assert resp.json() == {"donations_idr": 5, "year": 2024}
    assert sorted(s for s, _, _ in services.sent) == sorted(SERVICES)
    bad = await http.get(f"{BASE}/summary", params={"year": "1"}, headers=as_(Role.AUDITOR))
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "year")


async def test_a_path_the_contract_does_not_have_is_404(
    http: httpx.AsyncClient, services: Services
) -> None:
    resp = await http.post(f"{BASE}/nothing/here", headers=as_(Role.ADMIN))
    assert (resp.status_code, resp.json()["error"]["code"]) == (404, "NOT_FOUND")
    assert (await http.get(f"{BASE}/fund")).status_code == 401
    assert services.sent == []
