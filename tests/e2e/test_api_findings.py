"""HTTP contract: findings (temuan), their follow-up, resolution, dismissal and counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.conftest import System
from tests.e2e.test_api_support import (
    UNITS,
    Api,
    assert_error,
    assert_write,
    log_count,
    today,
)

pytestmark = pytest.mark.e2e

UNKNOWN = "0190a3f4-0000-7000-8000-0000000000cc"


def finding_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "unit": UNITS[0],
        "category": "KEHADIRAN",
        "severity": "RINGAN",
        "found_on": today().isoformat(),
        "source": "INTERNAL",
        "description": "Pegawai tidak hadir apel pagi tanpa keterangan",
    }
    return {**body, **overrides}


async def record(api: Api, **overrides: Any) -> str:
    resp = await api.post("/findings", finding_body(**overrides))
    return str(assert_write(resp, "finding_id", status=201)["finding_id"])


async def test_a_finding_is_followed_up_then_resolved_then_closed(api: Api, system: System) -> None:
    finding_id = await record(api, unit=api.desa[1], source="SERASA_DESA")
    path = f"/findings/{finding_id}"
    followed = await api.post(
        f"{path}/follow-up", {"action": "Teguran lisan", "sanction": "TEGURAN_LISAN"}
    )
    assert assert_write(followed, "finding_id")["finding_id"] == finding_id
    resolved = assert_write(await api.post(f"{path}/resolve", {"action": "Sudah tertib"}))
    assert resolved["finding_id"] == finding_id
    assert resolved["position"] > followed.json()["position"]
    count = await log_count(system, api.kab, api.kec)
    for step, body in (
        ("follow-up", {"action": "lagi"}),
        ("resolve", {"action": "lagi"}),
        ("dismiss", {"reason": "keliru"}),
    ):
        assert_error(await api.post(f"{path}/{step}", body), 409, "FINDING_RESOLVED")
    assert await log_count(system, api.kab, api.kec) == count


async def test_a_dismissed_finding_takes_no_more_steps(api: Api, system: System) -> None:
    finding_id = await record(api)
    path = f"/findings/{finding_id}"
    dismissed = assert_write(await api.post(f"{path}/dismiss", {"reason": "Laporan keliru"}))
    assert dismissed["finding_id"] == finding_id
    count = await log_count(system, api.kab, api.kec)
    for step, body in (
        ("follow-up", {"action": "x"}),
        ("resolve", {"action": "x"}),
        ("dismiss", {"reason": "x"}),
    ):
        assert_error(await api.post(f"{path}/{step}", body), 409, "FINDING_DISMISSED")
    assert await log_count(system, api.kab, api.kec) == count


@pytest.mark.parametrize(
    ("overrides", "field_name"),
    [
        ({"category": "KORUPSI"}, "category"),
        ({"severity": "FATAL"}, "severity"),
        ({"source": "MEDIA"}, "source"),
        ({"unit": "Dinas Lain"}, "unit"),
        ({"found_on": "future"}, "found_on"),
        ({"found_on": "17-08-2024"}, "found_on"),
        ({"description": ""}, "description"),
        ({"subject_type": "LURAH"}, "subject_type"),
        ({"official": ""}, "official"),
        ({"official": "N" * 121}, "official"),
    ],
)
async def test_a_bad_finding_is_refused_naming_the_field(
    api: Api, system: System, overrides: dict[str, Any], field_name: str
) -> None:
    if overrides.get("found_on") == "future":
        overrides = {"found_on": (today() + timedelta(days=1)).isoformat()}
    count = await log_count(system, api.kab, api.kec)
    resp = await api.post("/findings", finding_body(**overrides))
    assert_error(resp, 422, "INVALID", field_name)
    assert await log_count(system, api.kab, api.kec) == count


@pytest.mark.parametrize(
    ("step", "body"),
    [("follow-up", {"action": "x"}), ("resolve", {"action": "x"}), ("dismiss", {"reason": "x"})],
)
async def test_an_unknown_finding_is_not_found(api: Api, step: str, body: dict[str, str]) -> None:
    assert_error(await api.post(f"/findings/{UNKNOWN}/{step}", body), 404, "NOT_FOUND")


async def test_the_findings_summary_counts_what_was_not_dismissed(api: Api) -> None:
    kept = await record(api, found_on="2021-03-02", category="ETIKA", severity="SEDANG")
    dismissed = await record(api, found_on="2021-05-04", category="ETIKA", severity="BERAT")
    resolved = await record(api, found_on="2022-01-11", category="PELAYANAN")
    followed = await record(api, found_on="2023-06-06", category="ETIKA", severity="BERAT")
    await api.post(f"/findings/{dismissed}/dismiss", {"reason": "Tidak terbukti"})
    await api.post(f"/findings/{resolved}/resolve", {"action": "Pembinaan"})
    last = await api.post(f"/findings/{followed}/follow-up", {"action": "Pemeriksaan"})
    assert kept
    resp = await api.get("/findings/summary", params={"wait_for": last.json()["position"]})
    assert resp.status_code == 200
    summary = resp.json()
    assert summary["by_year"] == {"2021": 1, "2022": 1, "2023": 1}
    assert _nonzero(summary["by_category"]) == {"ETIKA": 2, "PELAYANAN": 1}
    assert _nonzero(summary["by_severity"]) == {"SEDANG": 1, "RINGAN": 1, "BERAT": 1}
    assert summary["by_subject_type"] == {"ASN": 3, "KEPALA_DESA": 0, "PERANGKAT_DESA": 0}
    assert summary["open"] == 2
    assert summary["repeat_officials"] == 0


@pytest.mark.parametrize(
    ("subject", "severity", "fits", "does_not"),
    [
        ("ASN", "RINGAN", "PERNYATAAN_TIDAK_PUAS", "POTONG_TUKIN_25_6B"),
        ("ASN", "SEDANG", "POTONG_TUKIN_25_12B", "TEGURAN_LISAN"),
        ("ASN", "BERAT", "BEBAS_JABATAN_12B", "PEMBERHENTIAN_SEMENTARA"),
        ("KEPALA_DESA", "RINGAN", "PEMBERHENTIAN_SEMENTARA", "PERNYATAAN_TIDAK_PUAS"),
        ("PERANGKAT_DESA", "BERAT", "TEGURAN_TERTULIS", "TURUN_JABATAN_12B"),
    ],
)
async def test_a_sanction_must_fit_the_subject_and_severity(
    api: Api, system: System, subject: str, severity: str, fits: str, does_not: str
) -> None:
    finding_id = await record(api, subject_type=subject, severity=severity)
    path = f"/findings/{finding_id}/follow-up"
    count = await log_count(system, api.kab, api.kec)
    for sanction in (does_not, "Teguran keras"):
        resp = await api.post(path, {"action": "Pembinaan", "sanction": sanction})
        assert_error(resp, 422, "INVALID", "sanction")
    assert await log_count(system, api.kab, api.kec) == count
    assert_write(await api.post(path, {"action": "Pembinaan", "sanction": fits}), "finding_id")


async def test_the_official_named_is_sealed_and_counted_when_found_again(
    api: Api, system: System
) -> None:
    nip = "19790315 200312 1 004"
    first = await record(api, found_on="2022-02-01", official=nip, subject_type="PERANGKAT_DESA")
    await record(api, found_on="2023-01-15", official=nip.replace(" ", ""))
    await record(api, found_on="2023-01-16", official="Bambang Hartono")
    last = await api.post(f"/findings/{first}/follow-up", {"action": "Pembinaan"})
    resp = await api.get("/findings/summary", params={"wait_for": last.json()["position"]})
    summary = resp.json()
    assert summary["repeat_officials"] == 1
    assert summary["by_subject_type"] == {"ASN": 2, "KEPALA_DESA": 0, "PERANGKAT_DESA": 1}
    assert "Bambang" not in resp.text
    assert "19790315" not in resp.text


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}
