"""What the SKK report lists of a year's findings: counts by category, subject type and
severity, dismissed ones left out, open ones counted; no unit, official or text."""

from __future__ import annotations

import pytest
from nats.aio.client import Client as NATS

from shared.contracts.documents import FindingsRegister
from shared.runtime import Runtime
from tests.integration.integrity.conftest import OFFICE, act, call, configure, finding, record

pytestmark = pytest.mark.integration


async def test_the_register_groups_the_years_findings_without_names(
    service: Runtime, nc: NATS, kab: str, kec: str
) -> None:
    balerejo, *_ = await configure(nc, kab, kec)
    given = [
        finding(OFFICE, "2023-02-01", category="ETIKA", severity="SEDANG"),
        finding(OFFICE, "2023-03-01", category="ETIKA", severity="BERAT"),
        finding(balerejo, "2023-04-01", subject_type="KEPALA_DESA"),
        finding(balerejo, "2023-05-01", subject_type="KEPALA_DESA"),
        finding(OFFICE, "2022-05-01", category="ETIKA"),
    ]
    ids = [await record(nc, kab, kec, body) for body in given]
    assert (await act(nc, kab, kec, "finding_resolve", ids[1], action="Teguran")).ok
    dismissed = await act(nc, kab, kec, "finding_dismiss", ids[3], reason="Tidak terbukti")
    assert dismissed.ok
    reply = await call(
        nc, "findings_register", kab, kec, params={"year": 2023}, wait_for=dismissed.position
    )
    assert reply.status == 200, reply.error
    register = FindingsRegister.model_validate(reply.data)
    assert register.year == 2023
    rows = [
        (g.category, g.subject_type, g.ringan, g.sedang, g.berat, g.open) for g in register.groups
    ]
    assert rows == [
        ("ETIKA", "ASN", 0, 1, 1, 1),
        ("KEHADIRAN", "KEPALA_DESA", 1, 0, 0, 1),
    ]
    assert "Perangkat" not in reply.model_dump_json(), "no free text"
