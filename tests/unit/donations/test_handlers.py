"""The donations handlers on the in-memory fakes: what they answer, append and refuse."""

from __future__ import annotations

from typing import Any

import pytest

from services.donations import handlers
from services.donations.api import API
from services.donations.deps import Deps, DonationsSettings
from services.donations.queries import Queries
from shared.contracts.donations import (
    DonationReceipt,
    DonationRef,
    ProcurePackages,
    ReceiveDonation,
    VoidDonation,
)
from shared.crypto import open_text
from shared.edge.kit import Ctx, Written
from shared.edge.rpc import RpcRequest
from shared.errors import DomainError
from shared.events.donations import DonationReceived, DonationVoided, PackagesProcured, fund_ref
from shared.events.scheduler import KecamatanConfigured
from shared.tenancy import Tenant
from tests.fakes import (
    FakeRuntime,
    MemoryKeyStore,
    call_edge,
    configure,
    ctx_for,
    fake_runtime,
)

pytestmark = pytest.mark.unit

TENANT = Tenant("3520", "352005")


class Fixture:
    """A fake runtime, the donations deps over it and the kecamatan set up."""

    def __init__(self, rt: FakeRuntime, deps: Deps, setup: KecamatanConfigured) -> None:
        self.rt, self.deps, self.setup = rt, deps, setup
        keys = rt.keys
        assert isinstance(keys, MemoryKeyStore)
        self.keys = keys

    def ctx(self, body: Any = None, **kw: Any) -> Ctx[Deps]:
        return ctx_for(
            self.rt,
            self.deps,
            kab=TENANT.kab,
            kec=TENANT.kec,
            body=body,
            kecamatan=self.setup,
            **kw,
        )

    def fund_events(self) -> list[Any]:
        return [e.event for e in self.rt.memory.of(fund_ref(TENANT))]

    def again(self) -> Fixture:
        """The same log served by another replica: a runner with no cache."""
        return Fixture(self.rt, deps_over(self.rt), self.setup)


def deps_over(rt: FakeRuntime) -> Deps:
    settings = DonationsSettings()
    return Deps(
        settings=settings,
        runner=rt.command_runner(attempts=settings.command_attempts),
        queries=Queries(rt.pool, rt.schema),  # the read side: no handler may touch it
    )


@pytest.fixture
async def fx() -> Fixture:
    rt = fake_runtime()
    setup = await configure(rt.store, TENANT)
    return Fixture(rt, deps_over(rt), setup)


def donation(**overrides: Any) -> dict[str, Any]:
    return {"unit": "Desa Balerejo", "amount_idr": 50_000, "received_on": "2024-03-01", **overrides}


async def receive(fx: Fixture, body: dict[str, Any], **kw: Any) -> Written[DonationReceipt]:
    return await handlers.receive_donation(ReceiveDonation.model_validate(body), fx.ctx(body, **kw))


async def void(fx: Fixture, donation_id: str, **kw: Any) -> Written[DonationRef]:
    body = {"reason": "salah catat"}
    ctx = fx.ctx(body, params={"id": donation_id}, **kw)
    return await handlers.void_donation(VoidDonation.model_validate(body), ctx)


async def procure(fx: Fixture, packages: int, price: int) -> Any:
    body = {
        "packages": packages,
        "unit_price_idr": price,
        "purchased_on": "2024-03-02",
        "supplier": "Toko Makmur",
    }
    return await handlers.procure_packages(ProcurePackages.model_validate(body), fx.ctx(body))


async def refused(code: str, status: int, call: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        await call
    assert (caught.value.code, caught.value.status) == (code, status)
    return caught.value


async def test_receipts_count_from_one_per_year_and_answer_created(fx: Fixture) -> None:
    first = await receive(fx, donation(received_on="2023-11-03"))
    second = await receive(fx, donation(received_on="2023-12-01", amount_idr=20_000))
    next_year = await receive(fx, donation(received_on="2024-01-05"))
    assert [w.reply.receipt_no for w in (first, second, next_year)] == [1, 2, 1]
    assert all(w.created for w in (first, second, next_year))
    # the positions are the stream's: the kecamatan's set-up is 1
    assert [w.position for w in (first, second, next_year)] == [2, 3, 4]
    stored = fx.fund_events()
    assert [e.receipt_no for e in stored] == [1, 2, 1]
    assert [e.donation_id for e in stored] == [w.reply.donation_id for w in (first, second)] + [
        next_year.reply.donation_id
    ]
    assert [e.balance_after_idr for e in stored] == [50_000, 70_000, 120_000]


async def test_a_retried_command_answers_the_first_receipt_and_appends_once(fx: Fixture) -> None:
    first = await receive(fx, donation(), command_id="cmd-1")
    await receive(fx, donation(received_on="2024-03-02"))  # someone else's, in between
    retried = await receive(fx, donation(), command_id="cmd-1")
    elsewhere = await receive(fx.again(), donation(), command_id="cmd-1")
    assert retried == first
    assert elsewhere == first
    assert [e.receipt_no for e in fx.fund_events()] == [1, 2]


async def test_a_void_answers_ok_and_a_second_void_is_refused(fx: Fixture) -> None:
    given = await receive(fx, donation())
    voided = await void(fx, given.reply.donation_id)
    assert voided.reply.donation_id == given.reply.donation_id
    assert not voided.created
    assert voided.position == given.position + 1
    last = fx.fund_events()[-1]
    assert isinstance(last, DonationVoided)
    assert (last.amount_idr, last.receipt_no, last.balance_after_idr) == (50_000, 1, 0)
    await refused("ALREADY_VOIDED", 409, void(fx, given.reply.donation_id))
    assert len(fx.fund_events()) == 2


async def test_voiding_an_unknown_donation_is_not_found(fx: Fixture) -> None:
    await refused("NOT_FOUND", 404, void(fx, "no-such-donation"))
    assert fx.fund_events() == []


async def test_a_procurement_beyond_the_balance_is_refused(fx: Fixture) -> None:
    await receive(fx, donation(amount_idr=100_000))
    error = await refused("INSUFFICIENT_FUNDS", 409, procure(fx, 3, 50_000))
    assert error.extra == {"balance_idr": 100_000, "required_idr": 150_000}
    assert len(fx.fund_events()) == 1
    bought = await procure(fx, 2, 50_000)
    assert bought.created
    last = fx.fund_events()[-1]
    assert isinstance(last, PackagesProcured)
    assert (last.total_idr, last.balance_after_idr) == (100_000, 0)
    assert last.procurement_id == bought.reply.procurement_id


async def test_a_unit_not_of_the_kecamatan_is_invalid_by_field(fx: Fixture) -> None:
    error = await refused("INVALID", 422, receive(fx, donation(unit="Desa Entah")))
    assert error.field == "unit"
    assert fx.fund_events() == []


async def test_a_unit_is_stored_as_the_kecamatan_spells_it(fx: Fixture) -> None:
    await receive(fx, donation(unit="  desa   BALEREJO "))
    [event] = fx.fund_events()
    assert event.unit == "Desa Balerejo"


async def test_the_units_are_the_kecamatans_current_set_up(fx: Fixture) -> None:
    setup = await configure(fx.rt.store, TENANT, units=["Desa Baru"])
    moved = Fixture(fx.rt, fx.deps, setup)
    await refused("INVALID", 422, receive(moved, donation()))
    assert (await receive(moved, donation(unit="Desa Baru"))).reply.receipt_no == 1


async def test_a_named_donor_is_sealed_and_never_stored_in_clear(fx: Fixture) -> None:
    written = await receive(fx, donation(donor="Haji Slamet Riyadi"))
    [stored] = fx.rt.memory.of(fund_ref(TENANT))
    event = stored.event
    assert isinstance(event, DonationReceived)
    assert not event.anonymous
    assert event.donor_sealed is not None
    assert b"Slamet" not in stored.data
    donation_id = written.reply.donation_id
    key = fx.keys.keys[f"donation:{donation_id}"]
    assert key is not None
    assert open_text(key, event.donor_sealed, donation_id) == "Haji Slamet Riyadi"


async def test_a_refused_donation_makes_no_key(fx: Fixture) -> None:
    await refused("INVALID", 422, receive(fx, donation(donor="Siti", unit="Desa Entah")))
    assert fx.keys.keys == {}


async def test_an_anonymous_donor_is_not_sealed(fx: Fixture) -> None:
    await receive(fx, donation(donor="Hamba Allah"))
    [event] = fx.fund_events()
    assert event.anonymous
    assert event.donor_sealed is None
    assert fx.keys.keys == {}


async def test_through_the_edge_a_donation_answers_201_with_its_position(fx: Fixture) -> None:
    req = RpcRequest(kab=TENANT.kab_dotted, kec=TENANT.kec_dotted, body=donation())
    reply = await call_edge(fx.rt, API, fx.deps, ReceiveDonation, req)
    assert (reply.status, reply.position, reply.error) == (201, 2, None)
    assert reply.data["receipt_no"] == 1
    bad = RpcRequest(kab=TENANT.kab, kec=TENANT.kec, body=donation(unit="Desa Entah"))
    refusal = await call_edge(fx.rt, API, fx.deps, ReceiveDonation, bad)
    assert refusal.status == 422
    assert refusal.error is not None
    assert refusal.error["field"] == "unit"
