"""Households over request-reply: registration, masked reads, aid, forgetting, uniqueness."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from nats.aio.client import Client as NATS

from services.distribution.claims import Claim, Claims, LiveHouseholds
from services.distribution.deps import Deps, holder_check
from services.distribution.liveindex import live_households
from services.distribution.main import spec
from services.distribution.personal import Personal, of_registration
from shared.config import Settings
from shared.contracts.distribution import RegisterHousehold
from shared.db import DbConn
from shared.errors import DomainError
from shared.events.distribution import Aid
from shared.runtime import Runtime
from tests.integration.distribution.conftest import (
    NIK,
    NO_KK,
    call,
    configure,
    household,
    register,
)
from tests.support import running

pytestmark = pytest.mark.integration


async def test_an_unconfigured_kecamatan_answers_not_found_everywhere(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    desa = f"{kab[:2]}.{kab[2:]}.{kec[4:]}.2004"
    for name, kw in [
        ("household_register", {"body": household(desa, 1)}),
        ("household_get", {"params": {"id": "0190c0de-0000-7000-8000-000000000000"}}),
        ("round_open", {"body": {"desa": desa, "month": "2025-03", "quota": 1}}),
        ("distribution", {"params": {"year": 2025}}),
        ("summary", {"params": {"year": 2025}}),
        ("household_import", {"body": {"csv": "no_kk\n"}}),
        ("household_register", {"body": {}}),
        ("household_aid", {"params": {"id": "x"}, "body": {}}),
        ("household_forget", {"params": {"id": "x"}}),
        ("package_hand_out", {"params": {"id": "x"}, "body": {}}),
        ("round_close", {"params": {"id": "x"}}),
        ("round_suggestions", {"params": {"id": "x"}}),
        ("households", {}),
        ("rounds", {}),
        ("rounds_due", {}),
        ("stock", {}),
        ("summary", {"params": {}}),
    ]:
        reply = await call(nc, name, kab, kec, **kw)
        assert (reply.status, reply.error and reply.error["code"]) == (404, "NOT_FOUND"), name


async def test_register_read_masked_change_aid_and_forget(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, *_ = await configure(nc, kab, kec)
    body = household(balerejo, 1, no_kk=NO_KK, nik=NIK, name="Sulastri Wahyuningsih", desil=2)
    first = await call(nc, "household_register", kab, kec, body=body, command_id="reg-1")
    again = await call(nc, "household_register", kab, kec, body=body, command_id="reg-1")
    assert first.status == 201
    assert first.position
    assert (again.data, again.position) == (first.data, first.position)
    hid = first.data["household_id"]

    got = await call(nc, "household_get", kab, kec, params={"id": hid}, wait_for=first.position)
    assert got.data == {
        "household_id": hid,
        "name_masked": "S******* W***********",
        "nik_masked": "3520********0001",
        "desa": balerejo,
        "desil": 2,
        "aid": [],
        "eligible": True,
        "forgotten": False,
    }

    aid = await call(
        nc,
        "household_aid",
        kab,
        kec,
        params={"id": hid},
        body={"aid": ["PKH"], "as_of": "2025-02-01"},
    )
    assert aid.status == 200
    assert aid.data == got.data | {"aid": ["PKH"], "eligible": False}
    read = await call(nc, "household_get", kab, kec, params={"id": hid}, wait_for=aid.position)
    assert read.data == aid.data

    gone = await call(nc, "household_forget", kab, kec, params={"id": hid})
    assert (gone.status, gone.data) == (200, {"household_id": hid, "forgotten": True})
    twice = await call(nc, "household_forget", kab, kec, params={"id": hid})
    assert twice.data == gone.data
    assert twice.position == gone.position
    read = await call(nc, "household_get", kab, kec, params={"id": hid}, wait_for=gone.position)
    assert read.data["forgotten"] is True
    assert (read.data["name_masked"], read.data["nik_masked"], read.data["eligible"]) == (
        None,
        None,
        False,
    )
    refused = await call(
        nc, "household_aid", kab, kec, params={"id": hid}, body={"aid": [], "as_of": "2025-03-01"}
    )
    assert (refused.status, refused.error["code"]) == (409, "HOUSEHOLD_FORGOTTEN")
    late_retry = await call(nc, "household_register", kab, kec, body=body, command_id="reg-1")
    assert (late_retry.data, late_retry.position) == (first.data, first.position)
    assert await register(nc, kab, kec, body) != hid


async def test_bad_input_names_the_field_and_appends_nothing(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, *_ = await configure(nc, kab, kec)
    before = await service.store.last_seq(kab)
    for field, change in [
        ("nik", {"nik": "3520"}),
        ("no_kk", {"no_kk": "x" * 16}),
        ("desil", {"desil": 0}),
        ("registry", {"registry": "P3KE"}),
        ("aid", {"aid": ["BANSOS"]}),
        ("desa", {"desa": "35.20.99.2001"}),
        ("snapshot_date", {"snapshot_date": "2999-01-01"}),
    ]:
        reply = await call(nc, "household_register", kab, kec, body=household(balerejo, 1) | change)
        assert (reply.status, reply.error["field"].split(".")[0]) == (422, field)
        assert "3520054101900001" not in str(reply.error)
    unknown = await call(nc, "household_get", kab, kec, params={"id": "not-an-id"})
    assert unknown.status == 404
    assert await service.store.last_seq(kab) == before


async def test_the_same_number_anywhere_in_the_kabupaten_is_refused_naming_the_household(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    other = f"{kab}{(int(kec[4:]) % 89) + 10:02d}"
    here, there = (await configure(nc, kab, kec))[0], (await configure(nc, kab, other))[0]
    hid = await register(nc, kab, kec, household(here, 1))
    before = await service.store.last_seq(kab)
    same_nik = await call(
        nc,
        "household_register",
        kab,
        other,
        body=household(there, 2, nik=household(here, 1)["nik"]),
    )
    same_kk = await call(
        nc,
        "household_register",
        kab,
        kec,
        body=household(here, 3, no_kk=household(here, 1)["no_kk"]),
    )
    for reply, field in ((same_nik, "nik"), (same_kk, "no_kk")):
        assert (reply.status, reply.error["code"]) == (409, "DUPLICATE_HOUSEHOLD")
        assert (reply.error["household_id"], reply.error["field"]) == (hid, field)
        assert reply.error["message"]
        assert reply.error["message_en"]
    assert await service.store.last_seq(kab) == before


async def test_concurrent_registrations_of_one_nik_register_it_once(
    service: Runtime, replica: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    other = f"{kab}{(int(kec[4:]) % 89) + 10:02d}"
    here, there = (await configure(nc, kab, kec))[0], (await configure(nc, kab, other))[0]
    bodies = [
        (kec if n % 2 else other, household(here if n % 2 else there, n, nik=NIK))
        for n in range(12)
    ]
    replies = await asyncio.gather(
        *(call(nc, "household_register", kab, k, body=b) for k, b in bodies)
    )
    won = [r for r in replies if r.status == 201]
    assert len(won) == 1, [r.error for r in replies]
    winner = won[0].data["household_id"]
    assert {
        (r.status, r.error["code"], r.error["household_id"]) for r in replies if r is not won[0]
    } == {(409, "DUPLICATE_HOUSEHOLD", winner)}


async def test_import_accepts_good_lines_and_explains_each_bad_one(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, garon, _ = await configure(nc, kab, kec)
    existing = await register(nc, kab, kec, household(balerejo, 50))
    header = "no_kk;nik;name;desa;address;desil;registry;snapshot_date;aid"

    def row(n: int, **kw: object) -> str:
        body = household(balerejo, n, aid="PBI_JK|OTHER") | kw
        return ";".join(str(body[k]) for k in header.split(";"))

    lines = [
        header,
        row(1),
        row(2, desa=garon, aid=""),
        row(3, nik="35200541019"),
        row(4, desil=0),
        row(5, desa="35.20.99.2001"),
        row(1),
        row(50),
        "",
        row(6, snapshot_date="2999-01-01"),
        row(7),
    ]
    reply = await call(nc, "household_import", kab, kec, body={"csv": "\ufeff" + "\n".join(lines)})
    assert reply.status == 201
    assert reply.data["accepted"] == 3
    rejected = {(r["line"], r["field"]) for r in reply.data["rejected"]}
    assert rejected == {
        (4, "nik"),
        (5, "desil"),
        (6, "desa"),
        (7, "no_kk"),
        (8, "no_kk"),
        (10, "snapshot_date"),
    }
    duplicate = next(r for r in reply.data["rejected"] if r["line"] == 8)
    assert existing in duplicate["reason"]
    listed = await call(nc, "households", kab, kec, wait_for=reply.position)
    assert len(listed.data["households"]) == 4
    assert {h["desa"] for h in listed.data["households"]} == {balerejo, garon}
    assert all(h["nik_masked"].startswith("3520****") for h in listed.data["households"])


async def test_the_claims_index_recovers_from_crashes_and_is_rebuilt_from_the_log(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, *_ = await configure(nc, kab, kec)
    assert await register(nc, kab, kec, household(balerejo, 9))  # the index is made
    assert service.keys is not None
    claims = Deps.build(service).claims
    kv = await claims.bucket(kab)
    crashed = household(balerejo, 1)
    async with service.keys.lookups.current(kab) as lookup:
        kk = f"{lookup.epoch}.kk.{lookup.hmac('no_kk', crashed['no_kk'])}"
    await kv.create(kk, Claim(str(uuid.uuid4()), kec, time.time() - 60).encode())
    assert await register(nc, kab, kec, crashed)  # a claim left by a crash is taken over

    kept = await register(nc, kab, kec, household(balerejo, 3))
    dropped = await register(nc, kab, kec, household(balerejo, 4))
    await call(nc, "household_forget", kab, kec, params={"id": dropped})
    await nc.jetstream().delete_key_value(f"distribution_claims_{kab}")
    keys = service.keys

    async def live(kab: str, conn: DbConn) -> tuple[LiveHouseholds, int]:
        return await live_households(nc, keys, kab, conn)

    fresh = Claims(nc, holder_check(service), keys.lookups, live)  # the admin makes the bucket

    def personal(n: int) -> Personal:
        return of_registration(RegisterHousehold.model_validate(household(balerejo, n)))

    async with fresh.holding(kab) as held:  # written again from the log's sealed records
        with pytest.raises(DomainError) as caught:
            await held.claim(kec, str(uuid.uuid4()), held.keys(personal(3)))
        assert (caught.value.code, caught.value.extra) == (
            "DUPLICATE_HOUSEHOLD",
            {"household_id": kept},
        )
        await held.claim(kec, str(uuid.uuid4()), held.keys(personal(4)))


async def test_the_excluding_aid_set_is_the_deployments_choice(
    settings: Settings, nc: NATS, kab: str, kec: str
) -> None:
    lenient = spec(excluding=frozenset({Aid.PKH}))
    async with running(lenient, settings.model_copy(update={"kabupaten": kab})):
        balerejo, *_ = await configure(nc, kab, kec)
        bpnt = await call(
            nc, "household_register", kab, kec, body=household(balerejo, 1, aid=["BPNT"])
        )
        got = await call(
            nc,
            "household_get",
            kab,
            kec,
            params={"id": bpnt.data["household_id"]},
            wait_for=bpnt.position,
        )
        assert (got.data["aid"], got.data["eligible"]) == (["BPNT"], True)
