"""The recipients export for the Dinas Sosial on real NATS + PostgreSQL: names opened by the
service for the camat or an admin only, each export recorded in the log (who, what, how
many), never a name in the log; a retry appends nothing more; the read models are not
touched (a rebuild still matches)."""

from __future__ import annotations

import pytest
from nats.aio.client import Client as NATS

from shared.audit.verdict import verify_kecamatan_log
from shared.edge.rpc import Scope
from shared.events.distribution import RecipientsExported, recipients_export_ref
from shared.log.eventstore import EventStore
from shared.runtime import Runtime
from shared.tenancy import Tenant
from tests.integration.distribution.conftest import (
    configure,
    household,
    open_round,
    procure,
    register,
)
from tests.integration.distribution.test_handouts import hand_out
from tests.support import rpc

pytestmark = pytest.mark.integration


def scope(role: str, kab: str, kec: str) -> Scope:
    return Scope(role=role, kab=kab, kec=kec)


async def test_the_camat_exports_names_and_the_log_records_who_and_how_many(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, garon, _ = await configure(nc, kab, kec)
    await procure(nc, kab, kec, 5)
    head = await register(nc, kab, kec, household(balerejo, 1))
    other = await register(nc, kab, kec, household(garon, 2))
    first = await open_round(nc, kab, kec, balerejo, "2025-03", 5)
    second = await open_round(nc, kab, kec, garon, "2025-03", 5)
    assert (await hand_out(nc, kab, kec, first, head)).status == 201
    taken = {"received_by": {"name": "Siti Wakilah", "relation": "WAKIL"}}
    last = await hand_out(nc, kab, kec, second, other, **taken)
    assert last.status == 201, last.error
    body = {"year": 2025}
    reply = await rpc(
        nc,
        "distribution",
        "recipients_export",
        kab,
        kec,
        body=body,
        command_id="export-1",
        scope=scope("camat", kab, kec),
        wait_for=last.position,
    )
    assert reply.status == 201, reply.error
    rows = reply.data["rows"]
    assert [(r["head_name"], r["received_name"], r["relation"]) for r in rows] == [
        ("Warga Nomor1", "Warga Nomor1", "SENDIRI"),
        ("Warga Nomor2", "Siti Wakilah", "WAKIL"),
    ]
    assert rows[0]["nik_masked"].startswith("3520")
    assert "*" in rows[0]["nik_masked"]
    assert rows[1]["bast_no"] == f"BAST/{kec}/2025/2"
    export_id = reply.data["export_id"]
    ref = recipients_export_ref(Tenant(kab, kec), export_id)
    logged = await service.store.load(ref)
    assert [type(e.event) for e in logged] == [RecipientsExported]
    event = logged[0].event
    assert isinstance(event, RecipientsExported)
    assert (event.year, event.rows, event.role, event.exported_by) == (2025, 2, "camat", "test")
    every = b"".join(e.data for e in await service.store.load(ref))
    assert b"Warga" not in every
    assert b"Wakilah" not in every
    again = await rpc(
        nc,
        "distribution",
        "recipients_export",
        kab,
        kec,
        body=body,
        command_id="export-1",
        scope=scope("camat", kab, kec),
    )
    assert again.data["export_id"] == export_id
    assert len(await service.store.load(ref)) == 1, "a retry appends nothing"
    verdict = await verify_kecamatan_log(EventStore(nc), Tenant(kab, kec))
    assert verdict.problems == [], "the export's event is chained and signed like any other"


@pytest.mark.parametrize("role", ["operator", "bendahara", "auditor"])
async def test_other_roles_may_not_export_names_and_nothing_is_recorded(
    service: Runtime, nc: NATS, kab: str, kec: str, role: str
) -> None:
    await configure(nc, kab, kec)
    before = await service.store.last_seq(kab)
    reply = await rpc(
        nc,
        "distribution",
        "recipients_export",
        kab,
        kec,
        body={"year": 2025},
        scope=scope(role, kab, kec),
    )
    assert reply.status == 403
    assert reply.data is None
    assert await service.store.last_seq(kab) == before
    bad = await rpc(
        nc,
        "distribution",
        "recipients_export",
        kab,
        kec,
        body={"year": "2025"},
        scope=scope("admin", kab, kec),
    )
    assert (bad.status, bad.error["field"]) == (422, "year")
