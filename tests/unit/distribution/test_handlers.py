"""The distribution handlers on the in-memory fakes: answers, appends, and operators' desa."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, cast

import pytest

from services.distribution import handlers, rounds
from services.distribution.api import API
from services.distribution.claims import Claims, LiveHouseholds
from services.distribution.deps import Deps, holder_check
from services.distribution.liveindex import Sealed, fold, opened
from shared.contracts.distribution import (
    ChangeAid,
    CloseRound,
    HandOutPackage,
    HouseholdRef,
    ImportHouseholds,
    OpenRound,
    RegisterHousehold,
)
from shared.edge.kit import Ctx
from shared.edge.rpc import RpcRequest, Scope
from shared.errors import DomainError
from shared.events.distribution import HouseholdRegistered, household_ref, ledger_ref
from shared.events.donations import PackagesProcured, fund_ref
from shared.events.scheduler import KecamatanConfigured
from shared.log.aggregate import AggregateType, CommandRunner
from shared.log.envelope import Metadata
from shared.tenancy import Tenant, undot
from tests.fakes import (
    FakeRuntime,
    MemoryKeyStore,
    call_edge,
    configure,
    ctx_for,
    fake_runtime,
)
from tests.unit.distribution.test_claims import FakeNats, MemoryBucket

pytestmark = pytest.mark.unit

TENANT = Tenant("3520", "352005")
BALEREJO, KAWEDANAN = "35.20.05.2001", "35.20.05.2002"
TODAY = date(2025, 3, 14)
ANY = AggregateType[None]("any", "any", lambda: None, lambda state, event: state)


class MemoryClaims(Claims):
    """The claims on numbers over an in-memory bucket, holders judged from the log, the
    index written from the log's sealed records opened with the memory key store."""

    def __init__(self, rt: FakeRuntime) -> None:
        keys = rt.keys
        assert isinstance(keys, MemoryKeyStore)

        async def live(kab: str, conn: object) -> tuple[LiveHouseholds, int]:
            sealed: Sealed = {}
            covers = fold(sealed, rt.memory.events(kab))
            return await opened(keys, cast(Any, conn), sealed), covers

        super().__init__(cast(Any, FakeNats()), holder_check(rt), keys.lookups, live)
        self.kv = MemoryBucket()

    async def bucket(self, kab: str) -> Any:
        return self.kv


class Fixture:
    def __init__(self, rt: FakeRuntime, setup: KecamatanConfigured) -> None:
        self.rt, self.setup = rt, setup
        self.claims = MemoryClaims(rt)
        keys = rt.keys
        assert isinstance(keys, MemoryKeyStore)
        self.keys = keys
        self.deps = Deps(keys=keys, claims=self.claims)

    def ctx(self, body: Any = None, **kw: Any) -> Ctx[Deps]:
        return ctx_for(
            self.rt,
            self.deps,
            kab=TENANT.kab,
            kec=TENANT.kec,
            body=body,
            kecamatan=self.setup,
            today=TODAY,
            **kw,
        )

    def log(self) -> int:
        return len(self.rt.memory.events(TENANT.kab))


@pytest.fixture
async def fx() -> Fixture:
    rt = fake_runtime()
    return Fixture(rt, await configure(rt.store, TENANT))


def operator(desa: str = BALEREJO) -> Scope:
    return Scope(role="operator", kab=TENANT.kab, kec=TENANT.kec, desa=undot(desa))


def household(n: int, desa: str = BALEREJO) -> dict[str, Any]:
    return {
        "no_kk": f"35200501010{n:05d}",
        "nik": f"35200541019{n:05d}",
        "name": f"Warga Nomor{n}",
        "desa": desa,
        "address": f"Dusun Krajan {n}",
        "desil": 3,
        "registry": "DTSEN",
        "snapshot_date": "2025-01-15",
    }


async def register(fx: Fixture, body: dict[str, Any], **kw: Any) -> str:
    cmd = RegisterHousehold.model_validate(body)
    written = await handlers.register_household(cmd, fx.ctx(body, **kw))
    return written.reply.household_id


async def open_round(fx: Fixture, desa: str, **kw: Any) -> str:
    body = {"desa": desa, "month": "2025-03", "quota": 5}
    written = await rounds.open_round(OpenRound.model_validate(body), fx.ctx(body, **kw))
    return written.reply.round_id


async def procure(fx: Fixture, packages: int, price: int) -> None:
    event = PackagesProcured(
        procurement_id=str(uuid.uuid4()),
        packages=packages,
        unit_price_idr=price,
        total_idr=packages * price,
        purchased_on=date(2025, 1, 2),
        supplier="Toko Makmur",
        balance_after_idr=0,
    )
    meta = Metadata(command_id=str(uuid.uuid4()), correlation_id="c", actor="t")
    await CommandRunner(fx.rt.store).execute(ANY, fund_ref(TENANT), meta, lambda _: [event])


async def forbidden(call: Any) -> None:
    with pytest.raises(DomainError) as caught:
        await call
    assert (caught.value.code, caught.value.status) == ("FORBIDDEN", 403)


async def test_registration_answers_created_and_appends_the_canonical_desa(fx: Fixture) -> None:
    body = household(1, desa=undot(BALEREJO))
    cmd = RegisterHousehold.model_validate(body)
    written = await handlers.register_household(cmd, fx.ctx(body, scope=operator()))
    assert written.created
    assert isinstance(written.reply, HouseholdRef)
    [stored] = fx.rt.memory.of(household_ref(TENANT, written.reply.household_id))
    assert isinstance(stored.event, HouseholdRegistered)
    assert (stored.event.desa, written.position) == (BALEREJO, stored.seq)


async def test_an_operator_registers_and_changes_nothing_outside_its_desa(fx: Fixture) -> None:
    theirs = await register(fx, household(1, desa=KAWEDANAN))
    before, claimed = fx.log(), dict(fx.claims.kv.entries)
    await forbidden(register(fx, household(2, desa=KAWEDANAN), scope=operator()))
    body = {"aid": ["PKH"], "as_of": "2025-02-01"}
    ctx = fx.ctx(body, params={"id": theirs}, scope=operator())
    await forbidden(handlers.change_aid(ChangeAid.model_validate(body), ctx))
    assert (fx.log(), fx.claims.kv.entries) == (before, claimed)
    mine = await register(fx, household(3), scope=operator())
    ctx = fx.ctx(body, params={"id": mine}, scope=operator())
    changed = await handlers.change_aid(ChangeAid.model_validate(body), ctx)
    assert changed.reply.model_dump(mode="json") | {"household_id": ""} == {
        "household_id": "",
        "name_masked": "W**** N*****",
        "nik_masked": "3520********0003",
        "desa": BALEREJO,
        "desil": 3,
        "aid": ["PKH"],
        "eligible": False,
        "forgotten": False,
    }


async def test_an_operator_hands_out_and_closes_only_its_own_desa_rounds(fx: Fixture) -> None:
    await procure(fx, 3, 120_000)
    theirs = await open_round(fx, KAWEDANAN)
    neighbour = await register(fx, household(1, desa=KAWEDANAN))
    before = fx.log()
    body = {"household_id": neighbour, "distributed_on": "2025-03-07"}
    ctx = fx.ctx(body, params={"id": theirs}, scope=operator())
    await forbidden(rounds.hand_out_package(HandOutPackage.model_validate(body), ctx))
    await forbidden(
        rounds.close_round(CloseRound(), fx.ctx(params={"id": theirs}, scope=operator()))
    )
    unknown = fx.ctx(params={"id": str(uuid.uuid4())}, scope=operator())
    await forbidden(rounds.close_round(CloseRound(), unknown))
    await forbidden(open_round(fx, KAWEDANAN, scope=operator()))
    assert fx.log() == before

    mine = await open_round(fx, BALEREJO, scope=operator())
    hid = await register(fx, household(2))
    body = {"household_id": hid, "distributed_on": "2025-03-07"}
    ctx = fx.ctx(body, params={"id": mine}, scope=operator())
    handed = await rounds.hand_out_package(HandOutPackage.model_validate(body), ctx)
    assert (handed.created, handed.reply.value_idr) == (True, 120_000)
    closed = await rounds.close_round(CloseRound(), fx.ctx(params={"id": mine}, scope=operator()))
    assert (closed.created, closed.reply.round_id) == (False, mine)
    assert len(fx.rt.memory.of(ledger_ref(TENANT))) == 4


async def test_an_import_with_a_line_of_another_desa_is_refused_whole(fx: Fixture) -> None:
    header = "no_kk,nik,name,desa,address,desil,registry,snapshot_date"
    lines = [
        ",".join(str(v) for v in household(n, desa).values())
        for n, desa in [(1, BALEREJO), (2, KAWEDANAN)]
    ]
    text = "\n".join([header, *lines])
    req = RpcRequest(
        kab=TENANT.kab, kec=TENANT.kec, body={"csv": text}, scope=operator(), actor="t"
    )
    reply = await call_edge(fx.rt, API, fx.deps, ImportHouseholds, req)
    assert (reply.status, reply.error and reply.error["code"]) == (403, "FORBIDDEN")
    assert fx.log() == 1
    trusted = req.model_copy(update={"scope": None})
    reply = await call_edge(fx.rt, API, fx.deps, ImportHouseholds, trusted)
    assert (reply.status, reply.data["accepted"]) == (201, 2)
