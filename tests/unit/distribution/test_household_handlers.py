"""Households v2 on the in-memory fakes: PATCH, members and the duplicate rule over every
NIK, the lookup key rotated by a forget, and aid lists."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from services.distribution import handlers
from services.distribution.api import API
from services.distribution.claims import INDEXED
from shared.contracts.distribution import (
    ChangeHousehold,
    ForgetHousehold,
    ImportAid,
    MaskedHousehold,
)
from shared.edge.rpc import RpcRequest
from shared.errors import DomainError
from shared.events.distribution import (
    HouseholdAidStatusChanged,
    HouseholdChanged,
    household_ref,
)
from shared.lookupkeys import keyed_hmac
from tests.fakes import call_edge, configure, fake_runtime
from tests.unit.distribution.test_handlers import (
    BALEREJO,
    KAWEDANAN,
    TENANT,
    Fixture,
    forbidden,
    household,
    operator,
    register,
)

pytestmark = pytest.mark.unit

MEMBER = {"nik": "3520054101977777", "name": "Parmi Lestari"}


@pytest.fixture
async def fx() -> Fixture:
    rt = fake_runtime()
    return Fixture(rt, await configure(rt.store, TENANT))


async def patch(fx: Fixture, hid: str, body: dict[str, Any], **kw: Any) -> MaskedHousehold:
    cmd = ChangeHousehold.model_validate(body)
    written = await handlers.change_household(cmd, fx.ctx(body, params={"id": hid}, **kw))
    return written.reply


async def refused(call: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        await call
    return caught.value


async def test_a_patch_changes_only_the_fields_given_and_answers_masked(fx: Fixture) -> None:
    hid = await register(fx, household(1))
    answer = await patch(fx, hid, {"desa": KAWEDANAN, "desil": 1, "name": "Siti Aminah"})
    assert (answer.desa, answer.desil, answer.name_masked) == (KAWEDANAN, 1, "S*** A*****")
    assert answer.nik_masked == "3520********0001"
    *_, stored = fx.rt.memory.of(household_ref(TENANT, hid))
    assert isinstance(stored.event, HouseholdChanged)
    assert (stored.event.moved_from, stored.event.registry) == (BALEREJO, None)
    assert b"Siti" not in stored.data
    assert b"Aminah" not in stored.data
    before = fx.log()
    await patch(fx, hid, {"desa": KAWEDANAN, "name": "Siti Aminah"})
    assert fx.log() == before  # nothing differs: nothing appended


async def test_a_patch_is_refused_like_a_registration_and_appends_nothing(fx: Fixture) -> None:
    hid = await register(fx, household(1))
    before = fx.log()
    outside = await refused(patch(fx, hid, {"desa": "35.20.06.2001"}))
    assert (outside.status, outside.field) == (422, "desa")
    down = await refused(patch(fx, hid, {"registry": "DTKS"}))
    assert (down.status, down.code) == (409, "REGISTRY_DOWNGRADE")
    head = await refused(patch(fx, hid, {"members": [{"nik": "3520054101900001", "name": "X"}]}))
    assert (head.status, head.field) == (422, "members")
    assert fx.log() == before


async def test_a_forgotten_household_cannot_be_patched(fx: Fixture) -> None:
    hid = await register(fx, household(1))
    await handlers.forget_household(ForgetHousehold(), fx.ctx(params={"id": hid}))
    for body in ({"desil": 4}, {"name": "Baru"}):
        error = await refused(patch(fx, hid, body))
        assert (error.status, error.code) == (409, "HOUSEHOLD_FORGOTTEN")


async def test_an_operator_moves_nothing_out_of_or_into_another_desa(fx: Fixture) -> None:
    mine = await register(fx, household(1))
    theirs = await register(fx, household(2, desa=KAWEDANAN))
    before = fx.log()
    await forbidden(patch(fx, mine, {"desa": KAWEDANAN}, scope=operator()))
    await forbidden(patch(fx, theirs, {"desil": 1}, scope=operator()))
    assert fx.log() == before
    assert (await patch(fx, mine, {"desil": 1}, scope=operator())).desil == 1


async def test_a_member_nik_held_anywhere_is_a_duplicate_naming_the_household(
    fx: Fixture,
) -> None:
    first = await register(fx, household(1) | {"members": [MEMBER]})
    error = await refused(register(fx, household(2) | {"members": [MEMBER]}))
    assert (error.code, error.field, error.extra) == (
        "DUPLICATE_HOUSEHOLD",
        "members",
        {"household_id": first},
    )
    as_head = await refused(register(fx, household(3) | {"nik": MEMBER["nik"]}))
    assert (as_head.field, as_head.extra) == ("nik", {"household_id": first})
    second = await register(fx, household(4))
    before = fx.log()
    added = await refused(patch(fx, second, {"members": [MEMBER]}))
    assert (added.code, added.extra) == ("DUPLICATE_HOUSEHOLD", {"household_id": first})
    assert fx.log() == before


async def test_a_member_removed_is_free_for_another_household(fx: Fixture) -> None:
    first = await register(fx, household(1) | {"members": [MEMBER]})
    await patch(fx, first, {"members": []})
    second = await register(fx, household(2) | {"members": [MEMBER]})
    assert second != first


async def test_a_forget_rotates_the_lookup_key_and_the_index_keeps_only_the_living(
    fx: Fixture,
) -> None:
    gone = await register(fx, household(1) | {"members": [MEMBER]})
    kept = await register(fx, household(2))
    epoch, old_key = fx.keys.lookups.epochs[TENANT.kab]  # type: ignore[attr-defined]
    await handlers.forget_household(ForgetHousehold(), fx.ctx(params={"id": gone}))
    new_epoch, new_key = fx.keys.lookups.epochs[TENANT.kab]  # type: ignore[attr-defined]
    assert new_epoch == epoch + 1
    assert new_key != old_key
    entries = fx.claims.kv.entries
    assert all(k.startswith(f"{new_epoch}.") for k in entries if k != INDEXED)
    holders = {fx.claims.kv.holder(k) for k in entries if k != INDEXED}
    assert holders == {kept}
    for nik in ("35200541019" + "00001", MEMBER["nik"]):
        for key in (old_key, new_key):
            assert not any(keyed_hmac(key, "nik", nik) in k for k in entries)
    again = await register(fx, household(1) | {"members": [MEMBER]})  # free once more
    assert again not in (gone, kept)
    for stored in fx.rt.memory.events(TENANT.kab):
        assert b"hmac" not in stored.data


async def aid_list(fx: Fixture, text: str, **kw: Any) -> Any:
    body = {"program": "PKH", "as_of": "2025-02-01", "source": "SK Dinsos 7/2025", "csv": text}
    req = RpcRequest(kab=TENANT.kab, kec=TENANT.kec, body=body, actor="t", **kw)
    return await call_edge_aid(fx, req)


async def call_edge_aid(fx: Fixture, req: RpcRequest) -> Any:
    return await call_edge(fx.rt, API, fx.deps, ImportAid, req)


async def test_an_aid_list_matches_head_and_member_niks_and_keeps_its_source(
    fx: Fixture,
) -> None:
    head = await register(fx, household(1))
    family = await register(fx, household(2) | {"members": [MEMBER]})
    stranger = "3520054101955555"
    text = "\n".join(
        [
            "NIK;nama",
            "3520054101900001;A",
            f"{MEMBER['nik']};B",
            f"{stranger};C",
            "12;D",
            "3520054101900001;dup",
        ]
    )
    reply = await aid_list(fx, text)
    assert reply.status == 201, reply.error
    assert (reply.data["matched"], reply.data["unmatched"]) == (2, 1)
    assert [(r["line"], r["field"]) for r in reply.data["rejected"]] == [(5, "nik"), (6, "nik")]
    for hid in (head, family):
        *_, stored = fx.rt.memory.of(household_ref(TENANT, hid))
        assert isinstance(stored.event, HouseholdAidStatusChanged)
        assert (stored.event.aid, stored.event.source) == (["PKH"], "SK Dinsos 7/2025")
    everything = b"".join(s.data for s in fx.rt.memory.events(TENANT.kab))
    assert stranger.encode() not in everything
    assert stranger not in str(reply.data)
    again = await aid_list(fx, text, command_id=str(uuid.uuid4()))
    assert (again.status, again.data["matched"]) == (200, 2)  # already held: nothing new


async def test_an_aid_list_of_an_operator_changes_only_its_desa(fx: Fixture) -> None:
    theirs = await register(fx, household(1, desa=KAWEDANAN))
    reply = await aid_list(fx, "nik\n3520054101900001", scope=operator())
    assert (reply.status, reply.data["matched"], reply.data["unmatched"]) == (200, 0, 1)
    assert len(fx.rt.memory.of(household_ref(TENANT, theirs))) == 1


async def test_an_aid_list_needs_its_programme_date_and_source(fx: Fixture) -> None:
    for field, value in (("program", "OTHER"), ("source", ""), ("as_of", "2025-13-01")):
        body = {"program": "PKH", "as_of": "2025-02-01", "source": "SK", "csv": "nik\n"}
        req = RpcRequest(kab=TENANT.kab, kec=TENANT.kec, body=body | {field: value}, actor="t")
        reply = await call_edge_aid(fx, req)
        assert (reply.status, reply.error and reply.error["field"]) == (422, field)
    assert fx.log() == 1
