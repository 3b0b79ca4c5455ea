"""The integrity handlers on the in-memory fakes: what they answer, append, seal and refuse,
and the kit's edge judging a finding's path before its body."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from datetime import date
from typing import Any, cast

import asyncpg
import pytest

from services.integrity import handlers
from services.integrity.api import API
from services.integrity.deps import Deps, IntegritySettings, official_lookup_key
from services.integrity.domain import Visit
from services.integrity.queries import Queries
from shared.contracts.integrity import (
    DismissFinding,
    FindingRef,
    FollowUpFinding,
    RecordFinding,
    ResolveFinding,
)
from shared.crypto import open_text
from shared.edge.kit import Ctx, Written
from shared.edge.rpc import RpcReply, RpcRequest, Scope
from shared.errors import DomainError
from shared.events.integrity import (
    FindingDismissed,
    FindingFollowedUp,
    FindingRecorded,
    FindingResolved,
    finding_ref,
)
from shared.events.scheduler import KecamatanConfigured
from shared.log.reader import StoredEvent
from shared.tenancy import Tenant
from tests.fakes import (
    FakeRuntime,
    MemoryKeyStore,
    Unavailable,
    call_edge,
    configure,
    ctx_for,
    fake_runtime,
)

pytestmark = pytest.mark.unit

TENANT = Tenant("3520", "352005")
NEIGHBOUR = Tenant("3520", "352006")
TODAY = date(2023, 10, 10)
BALEREJO = "35.20.05.2001"
DESCRIPTION = "Sekdes Budi Santoso tidak hadir pada jam pelayanan"
VISIT = Visit("serasa-2023-10-03", BALEREJO, date(2023, 10, 3))
LOOKUP = official_lookup_key(TENANT)


class MemoryQueries(Queries):
    """The read models as a handler asks them: only the Serasa Desa visits held."""

    def __init__(self, visits: list[Visit]) -> None:
        super().__init__(cast(asyncpg.Pool, Unavailable("pool")), "integrity")
        self.held = {v.visit_id: v for v in visits}

    async def visit(self, kab: str, kec: str, visit_id: str) -> Visit | None:
        return self.held.get(visit_id)


class Fixture:
    """A fake runtime, the integrity deps over it and the kecamatan set up."""

    def __init__(self, rt: FakeRuntime, setup: KecamatanConfigured) -> None:
        self.rt, self.setup = rt, setup
        assert rt.keys is not None
        self.deps = Deps(IntegritySettings(), rt.keys, MemoryQueries([VISIT]))

    def ctx(self, body: Any = None, tenant: Tenant = TENANT, **kw: Any) -> Ctx[Deps]:
        given: dict[str, Any] = {"kecamatan": self.setup, "today": TODAY, **kw}
        return ctx_for(self.rt, self.deps, kab=tenant.kab, kec=tenant.kec, body=body, **given)

    def log(self) -> int:
        return len(self.rt.memory.events(TENANT.kab))

    def of(self, finding_id: str, tenant: Tenant = TENANT) -> list[StoredEvent]:
        return self.rt.memory.of(finding_ref(tenant, finding_id))

    def keys(self) -> list[str]:
        """The data keys made (none is made for a refusal or an unknown finding)."""
        assert isinstance(self.rt.keys, MemoryKeyStore)
        return sorted(self.rt.keys.keys)

    def again(self) -> Fixture:
        """The same log served by another replica: a runner with no cache."""
        return Fixture(fake_runtime(store=self.rt.memory), self.setup)

    async def edge(self, message: type[Any], **kw: Any) -> RpcReply:
        req = RpcRequest(kab=TENANT.kab_dotted, kec=TENANT.kec_dotted, **kw)
        return await call_edge(self.rt, API, self.deps, message, req)


@pytest.fixture
async def fx() -> Fixture:
    rt = fake_runtime()
    return Fixture(rt, await configure(rt.store, TENANT))


def finding(**overrides: Any) -> dict[str, Any]:
    return {
        "unit": "Balerejo",
        "category": "KEHADIRAN",
        "severity": "RINGAN",
        "found_on": "2023-10-05",
        "source": "INSPEKTORAT",
        "description": DESCRIPTION,
        **overrides,
    }


async def record(fx: Fixture, body: dict[str, Any], **kw: Any) -> Written[FindingRef]:
    cmd = RecordFinding.model_validate(body)
    return await handlers.record_finding(cmd, fx.ctx(body, **kw))


async def recorded(fx: Fixture, **overrides: Any) -> str:
    return (await record(fx, finding(**overrides))).reply.finding_id


async def follow_up(fx: Fixture, finding_id: str, **kw: Any) -> Written[FindingRef]:
    body = {
        "action": "Teguran lisan oleh camat",
        "sanction": "TEGURAN_TERTULIS",
        **kw.pop("body", {}),
    }
    ctx = fx.ctx(body, params={"id": finding_id}, **kw)
    return await handlers.follow_up_finding(FollowUpFinding.model_validate(body), ctx)


async def resolve(fx: Fixture, finding_id: str, **kw: Any) -> Written[FindingRef]:
    body = {"action": "Sudah hadir tepat waktu sebulan"}
    ctx = fx.ctx(body, params={"id": finding_id}, **kw)
    return await handlers.resolve_finding(ResolveFinding.model_validate(body), ctx)


async def dismiss(fx: Fixture, finding_id: str, **kw: Any) -> Written[FindingRef]:
    body = {"reason": "Salah orang"}
    ctx = fx.ctx(body, params={"id": finding_id}, **kw)
    return await handlers.dismiss_finding(DismissFinding.model_validate(body), ctx)


async def refused(code: str, status: int, call: Awaitable[Any]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        await call
    assert (caught.value.code, caught.value.status) == (code, status)
    return caught.value


def opened(fx: Fixture, stored: StoredEvent, field: str) -> str:
    """A sealed field opened with its finding's key, as a reader holding the key does."""
    event, ref = stored.event, finding_ref(TENANT, getattr(stored.event, "finding_id"))  # noqa: B009
    assert isinstance(fx.rt.keys, MemoryKeyStore)
    key = fx.rt.keys.keys[event.sealing_key(ref)]
    assert key is not None
    return open_text(key, getattr(event, field), event.sealing_context(ref, field))


# -- recording ---------------------------------------------------------------------------------


async def test_recording_answers_created_and_appends_the_finding_sealed(fx: Fixture) -> None:
    nip = "19850101 201001 1 001"
    body = finding(official=nip, subject_type="PERANGKAT_DESA")
    written = await record(fx, body, command_id="temuan-1")
    assert written.created
    assert written.reply.finding_id == handlers.finding_id_of("temuan-1")
    [stored] = fx.of(written.reply.finding_id)
    assert written.position == stored.seq == fx.log()
    event = stored.event
    assert isinstance(event, FindingRecorded)
    assert (event.unit, event.unit_name, event.desa) == (BALEREJO, "Balerejo", BALEREJO)
    assert (event.found_on, event.visit_id) == (date(2023, 10, 5), None)
    assert event.description.startswith("v1:")
    assert event.subject_type == "PERANGKAT_DESA"
    assert event.official_id is not None
    assert uuid.UUID(event.official_id).version == 5
    assert b"Budi" not in stored.data
    assert b"19850101" not in stored.data
    assert opened(fx, stored, "description") == DESCRIPTION
    assert opened(fx, stored, "official") == nip
    assert fx.keys() == sorted([event.sealing_key(finding_ref(TENANT, event.finding_id)), LOOKUP])


async def test_the_same_official_gets_the_same_id_across_the_kabupaten(fx: Fixture) -> None:
    neighbours = Fixture(fx.rt, await configure(fx.rt.store, NEIGHBOUR))
    named = {
        "spaced": await recorded(fx, official="19850101 201001 1 001"),
        "bare": await recorded(fx, official="198501012010011001"),
        "elsewhere": (
            await record(
                neighbours,
                finding(unit="Kantor Kecamatan", official="198501012010011001"),
                tenant=NEIGHBOUR,
            )
        ).reply.finding_id,
        "other": await recorded(fx, official="198501012010011002"),
        "by_name": await recorded(fx, official="Budi  Santoso"),
        "name_again": await recorded(fx, official="budi santoso"),
        "nobody": await recorded(fx),
    }
    ids = {}
    for what, finding_id in named.items():
        tenant = NEIGHBOUR if what == "elsewhere" else TENANT
        [stored] = fx.of(finding_id, tenant)
        assert isinstance(stored.event, FindingRecorded)
        ids[what] = stored.event.official_id
    assert ids["spaced"] == ids["bare"] == ids["elsewhere"]
    assert ids["other"] != ids["bare"]
    assert ids["by_name"] == ids["name_again"] != ids["bare"]
    assert ids["nobody"] is None
    made = fx.keys()
    assert [k for k in made if k.startswith("official-lookup:")] == [LOOKUP], "one, in the store"


async def test_a_unit_is_a_desa_by_code_or_name_or_a_unit_by_name(fx: Fixture) -> None:
    by_code = await recorded(fx, unit="35.20.05.2002")
    by_name = await recorded(fx, unit="  kantor KECAMATAN ")
    [code], [name] = fx.of(by_code), fx.of(by_name)
    assert isinstance(code.event, FindingRecorded)
    assert isinstance(name.event, FindingRecorded)
    assert (code.event.unit, code.event.desa) == ("35.20.05.2002", "35.20.05.2002")
    assert (name.event.unit, name.event.desa) == ("Kantor Kecamatan", None)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"unit": "Kantor Bupati"}, "unit"),
        ({"unit": "35.20.99.2001"}, "unit"),
        ({"found_on": "2023-10-11"}, "found_on"),
        ({"visit_id": VISIT.visit_id}, "visit_id"),  # the source is not SERASA_DESA
        ({"source": "SERASA_DESA", "visit_id": "serasa-entah"}, "visit_id"),
        (
            {"source": "SERASA_DESA", "visit_id": VISIT.visit_id, "found_on": "2023-10-02"},
            "found_on",
        ),
    ],
)
async def test_a_refused_record_names_the_field_appends_nothing_and_makes_no_key(
    fx: Fixture, overrides: dict[str, Any], field: str
) -> None:
    error = await refused("INVALID", 422, record(fx, finding(**overrides)))
    assert error.field == field
    assert error.message != error.message_en
    assert fx.log() == 1  # the set-up alone
    assert fx.keys() == []


async def test_a_finding_of_a_serasa_desa_visit_links_it(fx: Fixture) -> None:
    finding_id = await recorded(fx, source="SERASA_DESA", visit_id=VISIT.visit_id)
    [stored] = fx.of(finding_id)
    assert isinstance(stored.event, FindingRecorded)
    assert stored.event.visit_id == VISIT.visit_id


async def test_a_retried_record_answers_its_first_answer_even_after_the_rules_changed(
    fx: Fixture,
) -> None:
    first = await record(fx, finding(), command_id="temuan-x")
    await record(fx, finding(unit="Kantor Kecamatan"))  # someone else's, in between
    retried = await record(fx, finding(), command_id="temuan-x")
    elsewhere = await record(fx.again(), finding(), command_id="temuan-x")
    assert retried == first
    assert elsewhere == first
    fx.setup = await configure(fx.rt.store, TENANT, desa=[], units=[])
    after = await record(fx, finding(), command_id="temuan-x")
    assert after == first
    await refused("INVALID", 422, record(fx, finding()))
    assert len(fx.of(first.reply.finding_id)) == 1
    assert len(fx.keys()) == 2


# -- acting on a finding -------------------------------------------------------------------------


async def test_following_up_then_resolving_appends_each_sealed_under_the_findings_key(
    fx: Fixture,
) -> None:
    finding_id = await recorded(fx)
    followed = await follow_up(fx, finding_id)
    assert (followed.reply.finding_id, followed.created) == (finding_id, False)
    resolved = await resolve(fx, finding_id)
    assert resolved.position == followed.position + 1 == fx.log()
    _, up, done = fx.of(finding_id)
    assert isinstance(up.event, FindingFollowedUp)
    assert (up.event.followed_up_on, up.seq) == (TODAY, followed.position)
    assert opened(fx, up, "action") == "Teguran lisan oleh camat"
    assert (up.event.sanction_code, up.event.sanction) == ("TEGURAN_TERTULIS", None)
    assert isinstance(done.event, FindingResolved)
    assert opened(fx, done, "action") == "Sudah hadir tepat waktu sebulan"
    assert b"Teguran lisan" not in up.data
    assert len(fx.keys()) == 1  # one key per finding, made when it was recorded


@pytest.mark.parametrize(
    ("subject", "severity", "sanction"),
    [
        ("ASN", "RINGAN", "POTONG_TUKIN_25_6B"),
        ("ASN", "BERAT", "PEMBERHENTIAN_SEMENTARA"),
        ("KEPALA_DESA", "BERAT", "BEBAS_JABATAN_12B"),
    ],
)
async def test_a_sanction_that_does_not_fit_the_finding_is_422_and_appends_nothing(
    fx: Fixture, subject: str, severity: str, sanction: str
) -> None:
    finding_id = await recorded(fx, subject_type=subject, severity=severity)
    before = fx.log()
    error = await refused("INVALID", 422, follow_up(fx, finding_id, body={"sanction": sanction}))
    assert error.field == "sanction"
    assert fx.log() == before
    reply = await fx.edge(
        FollowUpFinding, params={"id": finding_id}, body={"action": "x", "sanction": "DENDA"}
    )
    assert (reply.status, reply.error and reply.error["field"]) == (422, "sanction")
    assert fx.log() == before


async def test_a_closed_finding_refuses_every_act_and_nothing_is_appended(fx: Fixture) -> None:
    done, dropped = await recorded(fx), await recorded(fx)
    await resolve(fx, done)
    dismissed = await dismiss(fx, dropped)
    [_, stored] = fx.of(dropped)
    assert isinstance(stored.event, FindingDismissed)
    assert opened(fx, stored, "reason") == "Salah orang"
    assert dismissed.position == stored.seq
    before = fx.log()
    for act in (follow_up, resolve, dismiss):
        await refused("FINDING_RESOLVED", 409, act(fx, done))
        error = await refused("FINDING_DISMISSED", 409, act(fx, dropped))
        assert error.extra == {"finding_id": dropped}
    assert fx.log() == before


async def test_an_unknown_finding_is_404_appends_nothing_and_makes_no_key(fx: Fixture) -> None:
    neighbours = Fixture(fx.rt, await configure(fx.rt.store, NEIGHBOUR))
    theirs = (await record(neighbours, finding(unit="Kantor Kecamatan"), tenant=NEIGHBOUR)).reply
    before, keys = fx.log(), fx.keys()
    for finding_id in (str(uuid.uuid4()), "bukan-id", theirs.finding_id):
        for act in (follow_up, resolve, dismiss):
            await refused("NOT_FOUND", 404, act(fx, finding_id))
    assert (fx.log(), fx.keys()) == (before, keys)
    assert len(fx.of(theirs.finding_id, NEIGHBOUR)) == 1


async def test_a_retried_act_answers_its_first_answer_and_appends_once(fx: Fixture) -> None:
    finding_id = await recorded(fx)
    first = await follow_up(fx, finding_id, command_id="tindak-1")
    await follow_up(fx, finding_id)  # a second follow-up, someone else's
    retried = await follow_up(fx, finding_id, command_id="tindak-1")
    elsewhere = await follow_up(fx.again(), finding_id, command_id="tindak-1")
    assert retried == first
    assert elsewhere == first
    await resolve(fx, finding_id)
    assert await follow_up(fx, finding_id, command_id="tindak-1") == first  # closed since
    assert [type(e.event) for e in fx.of(finding_id)] == [
        FindingRecorded,
        FindingFollowedUp,
        FindingFollowedUp,
        FindingResolved,
    ]


# -- the edge: the path before the body, the kecamatan as scope ------------------------------------


@pytest.mark.parametrize(
    ("message", "body"),
    [
        (ResolveFinding, {"action": "Selesai"}),
        (ResolveFinding, {"action": ""}),
        (ResolveFinding, {}),
        (FollowUpFinding, [1]),
        (DismissFinding, {"reason": "x", "nama": "Budi"}),
    ],
)
async def test_an_unknown_finding_is_404_whatever_the_body(
    fx: Fixture, message: type[Any], body: Any
) -> None:
    await recorded(fx)
    before, keys = fx.log(), fx.keys()
    for ident in (str(uuid.uuid4()), "bukan-id"):
        reply = await fx.edge(message, params={"id": ident}, body=body)
        assert (reply.status, reply.error and reply.error["code"]) == (404, "NOT_FOUND"), ident
    assert (fx.log(), fx.keys()) == (before, keys)


async def test_a_known_finding_with_a_bad_body_is_422_naming_the_field(fx: Fixture) -> None:
    finding_id = await recorded(fx)
    before = fx.log()
    for message, body, field in (
        (FollowUpFinding, {"sanction": "Teguran"}, "action"),
        (ResolveFinding, {"action": " "}, "action"),
        (DismissFinding, {"reason": "x", "nama": "Budi"}, "nama"),
        (DismissFinding, ["x"], "body"),
    ):
        reply = await fx.edge(message, params={"id": finding_id}, body=body)
        assert (reply.status, reply.error and reply.error["field"]) == (422, field), body
    assert fx.log() == before
    camat = Scope(role="camat", kab=TENANT.kab, kec=TENANT.kec)
    body = {"action": "Teguran"}
    followed = await fx.edge(FollowUpFinding, params={"id": finding_id}, body=body, scope=camat)
    assert (followed.status, followed.position, followed.data) == (
        200,
        before + 1,
        {"finding_id": finding_id},
    )


async def test_through_the_edge_a_record_answers_201_and_a_bad_one_422(fx: Fixture) -> None:
    reply = await fx.edge(RecordFinding, body=finding(found_on="2023-01-10"))
    assert (reply.status, reply.position) == (201, 2)
    [stored] = fx.of(reply.data["finding_id"])
    assert isinstance(stored.event, FindingRecorded)
    assert stored.seq == reply.position
    bad = await fx.edge(RecordFinding, body=finding(category="PUNGLI"))
    assert (bad.status, bad.error and bad.error["field"]) == (422, "category")
    assert fx.log() == 2


async def test_a_kecamatan_never_configured_is_404_on_every_command() -> None:
    fx = Fixture(fake_runtime(), await configure(fake_runtime().store, TENANT))
    unknown = str(uuid.uuid4())
    for message, kw in (
        (RecordFinding, {"body": finding()}),
        (FollowUpFinding, {"params": {"id": unknown}, "body": {"action": "x"}}),
        (ResolveFinding, {"params": {"id": unknown}, "body": {"action": "x"}}),
        (DismissFinding, {"params": {"id": unknown}, "body": {"reason": "x"}}),
    ):
        reply = await fx.edge(message, **kw)
        assert (reply.status, reply.error and reply.error["code"]) == (404, "NOT_FOUND")
        assert reply.error is not None
        assert "35.20.05" in reply.error["message_en"]
    assert (fx.log(), fx.keys()) == (0, [])
