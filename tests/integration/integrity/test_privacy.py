"""People named in a finding never appear in clear in the log, read models or log lines."""

from __future__ import annotations

import logging

import pytest
from nats.aio.client import Client as NATS

from services.integrity.projections import read_models
from shared.audit.chain import ChainVerifier
from shared.crypto import lookup_hmac, open_text
from shared.events.integrity import FindingFollowedUp, FindingRecorded
from shared.runtime import Runtime
from shared.tenancy import Tenant
from tests.integration.integrity.conftest import (
    act,
    call,
    configure,
    finding,
    log_of,
    record,
    table_rows,
)

pytestmark = pytest.mark.integration

DESCRIPTION = "Sdr. Sutrisno Wibowo (Kaur Keuangan) meminta imbalan untuk surat pengantar"
ACTION = "Pemanggilan Sutrisno Wibowo oleh Camat"
REASON = "Pelapor Bu Lestari mencabut laporannya"
NIP = "19870417 201001 1 003"
CLEAR = ["Sutrisno", "Wibowo", "Lestari", "imbalan", "19870417", "201001", "Sugeng"]


async def test_no_clear_text_anywhere_yet_the_auditor_can_open_it_with_the_key(
    service: Runtime, nc: NATS, kab: str, kec: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    codes = await configure(nc, kab, kec)
    body = finding(
        codes[0],
        "2023-09-05",
        category="GRATIFIKASI",
        severity="BERAT",
        description=DESCRIPTION,
        official=NIP,
        subject_type="PERANGKAT_DESA",
    )
    kept = await record(nc, kab, kec, body)
    again = await record(nc, kab, kec, body | {"description": REASON, "official": "Sugeng R."})
    await act(nc, kab, kec, "finding_follow_up", kept, action=ACTION, sanction="TEGURAN_TERTULIS")
    last = (await act(nc, kab, kec, "finding_dismiss", again, reason=REASON)).position
    await call(nc, "findings_summary", kab, kec, wait_for=last)
    await call(nc, "open_findings", kab, kec)

    log = await log_of(nc, kab)
    verifier = ChainVerifier()
    verifier.feed(log)
    verifier.finish(await service.store.last_seq(kab))
    assert verifier.problems == []
    tables = [t for p in read_models() for t in p.tables]
    async with service.pool.acquire() as conn:
        rows = await table_rows(conn, service.schema, kab, tables)
    assert rows["findings"]
    texts = {
        "log": b"\n".join(e.data for e in log).decode(),
        "read models": str(rows),
        "log lines": caplog.text,
    }
    for where, text in texts.items():
        for clear in CLEAR:
            assert clear not in text, f"{clear!r} found in {where}"

    recorded = next(e.event for e in log if e.envelope.aggregate_id == kept)
    followed = next(e.event for e in log if isinstance(e.event, FindingFollowedUp))
    assert isinstance(recorded, FindingRecorded)
    assert isinstance(followed, FindingFollowedUp)
    tenant = Tenant(kab, kec)
    assert recorded.official_id is not None
    secret_hmacs = {lookup_hmac("test-secret", k, v) for k in ("nip", "official") for v in (NIP,)}
    assert not any(h in texts["log"] for h in secret_hmacs), "no HMAC of the deployment secret"
    kid = f"finding:{tenant.kec}:{kept}"
    assert service.keys is not None
    key = await service.keys.existing(kid)
    assert key is not None
    assert open_text(key, recorded.description, f"{kid}:description") == DESCRIPTION
    assert open_text(key, followed.action, f"{kid}:action") == ACTION
    assert recorded.official is not None
    assert open_text(key, recorded.official, f"{kid}:official") == NIP
    assert (followed.sanction_code, followed.sanction) == ("TEGURAN_TERTULIS", None)
