"""Hand-outs v2, stock adjustments and evidence on the in-memory fakes: answers, what is
appended (sealed), refusals that append nothing, replays, operators' area."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import uuid
from typing import Any

import pytest

from services.distribution import rounds
from services.distribution.api import API
from services.distribution.receivers import opened_name
from shared.contracts.distribution import AdjustStock, AttachEvidence, HandOutPackage
from shared.edge.rpc import RpcRequest
from shared.errors import DomainError
from shared.events.distribution import (
    PackageDistributed,
    PackageEvidenceAttached,
    StockAdjusted,
    ledger_ref,
)
from tests.fakes import call_edge
from tests.unit.distribution.test_handlers import (
    BALEREJO,
    KAWEDANAN,
    TENANT,
    Fixture,
    forbidden,
    fx,
    household,
    open_round,
    operator,
    procure,
    register,
)

pytestmark = pytest.mark.unit
__all__ = ["fx"]  # the fixture, shared with test_handlers

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


class MemoryFiles:
    """Evidence files in a dict, by kabupaten and name."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str], bytes] = {}

    async def put(self, kab: str, name: str, data: bytes) -> None:
        self.files.setdefault((kab, name), data)

    async def get(self, kab: str, name: str) -> bytes | None:
        return self.files.get((kab, name))


@pytest.fixture
def files(fx: Fixture) -> MemoryFiles:
    kept = MemoryFiles()
    fx.deps = dataclasses.replace(fx.deps, files=kept)
    return kept


async def hand_out(fx: Fixture, round_id: str, household_id: str, **body: Any) -> Any:
    sent = {"household_id": household_id, "distributed_on": "2025-03-07"} | body
    ctx = fx.ctx(sent, params={"id": round_id}, command_id=str(uuid.uuid4()))
    return await rounds.hand_out_package(HandOutPackage.model_validate(sent), ctx)


def ledger_events(fx: Fixture) -> list[Any]:
    return fx.rt.memory.of(ledger_ref(TENANT))


async def test_a_hand_out_answers_its_bast_number_and_seals_the_receivers_name(
    fx: Fixture,
) -> None:
    await procure(fx, 3, 120_000)
    round_id = await open_round(fx, BALEREJO)
    first, second = [await register(fx, household(n)) for n in (1, 2)]
    head = await hand_out(fx, round_id, first)
    by_family = await hand_out(
        fx, round_id, second, received_by={"name": "Rahmat Hidayat", "relation": "KELUARGA"}
    )
    assert (head.reply.bast_no, by_family.reply.bast_no) == (
        "BAST/352005/2025/1",
        "BAST/352005/2025/2",
    )
    stored = ledger_events(fx)[-1]
    assert b"Rahmat" not in stored.data
    assert b"Hidayat" not in stored.data
    event = stored.event
    assert isinstance(event, PackageDistributed)
    key = fx.keys.keys[second]
    assert key is not None
    assert opened_name(key, event) == "Rahmat Hidayat"  # under the household's own key


async def test_a_future_hand_out_appends_nothing(fx: Fixture) -> None:
    await procure(fx, 3, 120_000)
    round_id = await open_round(fx, BALEREJO)
    someone = await register(fx, household(1))
    before = fx.log()
    with pytest.raises(DomainError) as caught:
        await hand_out(fx, round_id, someone, distributed_on="2025-03-15")  # TODAY: 03-14
    assert (caught.value.status, caught.value.field) == (422, "distributed_on")
    assert fx.log() == before


def request(body: Any, params: dict[str, Any] | None = None, **kw: Any) -> RpcRequest:
    return RpcRequest(kab=TENANT.kab, kec=TENANT.kec, body=body, params=params or {}, **kw)


async def test_stock_adjustments_answer_their_id_and_refuse_below_zero(fx: Fixture) -> None:
    await procure(fx, 3, 120_000)
    body = {"packages": -2, "reason": "rusak", "adjusted_on": "2025-03-10"}
    first = await call_edge(fx.rt, API, fx.deps, AdjustStock, request(body, command_id="a-1"))
    assert first.status == 201
    assert first.data is not None
    again = await call_edge(fx.rt, API, fx.deps, AdjustStock, request(body, command_id="a-1"))
    assert (again.status, again.data) == (201, first.data)  # a retry appends once
    [adjusted] = [e.event for e in ledger_events(fx)]
    assert isinstance(adjusted, StockAdjusted)
    assert (adjusted.adjustment_id, adjusted.in_stock) == (first.data["adjustment_id"], 1)
    before = fx.log()
    too_many = body | {"packages": -2}
    refused = await call_edge(fx.rt, API, fx.deps, AdjustStock, request(too_many))
    assert (refused.status, refused.error and refused.error["code"]) == (409, "NO_STOCK")
    assert fx.log() == before


async def test_an_operator_adjusts_no_stock(fx: Fixture) -> None:
    await procure(fx, 3, 120_000)
    body = {"packages": -1, "reason": "hilang", "adjusted_on": "2025-03-10"}
    cmd = AdjustStock.model_validate(body)
    await forbidden(rounds.adjust_stock(cmd, fx.ctx(scope=operator())))
    assert ledger_events(fx) == []


async def handed_package(fx: Fixture, desa: str = BALEREJO) -> str:
    await procure(fx, 3, 120_000)
    round_id = await open_round(fx, desa)
    written = await hand_out(fx, round_id, await register(fx, household(1, desa=desa)))
    return str(written.reply.package_id)


def upload(data: bytes) -> dict[str, str]:
    return {"file": base64.b64encode(data).decode()}


async def test_evidence_is_kept_by_its_digest_and_attached_once(
    fx: Fixture, files: MemoryFiles
) -> None:
    package_id = await handed_package(fx)
    params = {"id": package_id}
    first = await call_edge(fx.rt, API, fx.deps, AttachEvidence, request(upload(PNG), params))
    sha = hashlib.sha256(PNG).hexdigest()
    assert first.status == 201
    assert first.data is not None
    assert first.data["sha256"] == sha
    [(kab, name)] = files.files
    assert (kab, files.files[(kab, name)]) == (TENANT.kab, PNG)
    attached = ledger_events(fx)[-1].event
    assert isinstance(attached, PackageEvidenceAttached)
    assert (attached.evidence_id, attached.object_name) == (first.data["evidence_id"], name)
    before = fx.log()
    again = await call_edge(fx.rt, API, fx.deps, AttachEvidence, request(upload(PNG), params))
    assert (again.status, again.data) == (200, first.data)
    assert fx.log() == before


@pytest.mark.parametrize("data", [b"GIF89a" + b"\0" * 10, b""])
async def test_evidence_of_another_type_is_422_file_and_kept_nowhere(
    fx: Fixture, files: MemoryFiles, data: bytes
) -> None:
    package_id = await handed_package(fx)
    before = fx.log()
    reply = await call_edge(
        fx.rt, API, fx.deps, AttachEvidence, request(upload(data), {"id": package_id})
    )
    assert (reply.status, reply.error and reply.error["field"]) == (422, "file")
    assert (fx.log(), files.files) == (before, {})


async def test_evidence_for_an_unknown_package_is_404_before_the_file_is_judged(
    fx: Fixture, files: MemoryFiles
) -> None:
    reply = await call_edge(
        fx.rt, API, fx.deps, AttachEvidence, request({"file": "!"}, {"id": str(uuid.uuid4())})
    )
    assert (reply.status, reply.error and reply.error["code"]) == (404, "NOT_FOUND")
    assert files.files == {}


async def test_an_operator_attaches_evidence_only_in_its_desa(
    fx: Fixture, files: MemoryFiles
) -> None:
    theirs = await handed_package(fx, KAWEDANAN)
    scope = operator(BALEREJO)
    reply = await call_edge(
        fx.rt, API, fx.deps, AttachEvidence, request(upload(PNG), {"id": theirs}, scope=scope)
    )
    assert reply.status == 403
    assert files.files == {}
    mine = await call_edge(
        fx.rt,
        API,
        fx.deps,
        AttachEvidence,
        request(upload(PNG), {"id": theirs}, scope=operator(KAWEDANAN)),
    )
    assert mine.status == 201
