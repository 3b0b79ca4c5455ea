"""The SKK report of the demo: from `smart report` and from the dashboard, in every form."""

from __future__ import annotations

import csv
import io
import secrets
import zipfile
from pathlib import Path

import httpx
import nats
import openpyxl
import pytest
import pytest_asyncio

from services.gateway.demo import scenario as sc
from services.gateway.report.cli import write_report
from shared.audit.checkpoints import RunningDigest
from shared.log.reader import direct_pages
from shared.tenancy import stream_name
from tests.e2e.conftest import System
from tests.e2e.test_demo import KAB, KEC, load_once
from tests.e2e.websupport import sign_in, smart
from tests.unit.gateway.test_report_formats import pdf_text

pytestmark = pytest.mark.e2e


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def digest(system: System) -> str:
    """The demo loaded, and the log's digest as `smart verify --digest` takes it
    (`<kab>:<seq>:<sha256>`, the checkpoints' running digest), computed here from direct
    reads. The demo is loaded once and nothing else writes to its kabupaten."""
    await load_once(system)
    running = RunningDigest()
    nc = await nats.connect(system.settings.nats_url)
    try:
        async for page in direct_pages(nc, stream_name(KAB), f"smart.{KAB}.>"):
            for event in page:
                running.feed(event)
    finally:
        await nc.close()
    return f"{KAB}:{running.upto}:{running.digest}"


def table(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")), delimiter=";"))


async def test_smart_report_csv_has_the_demo_figures_and_the_log_digest(
    system: System, digest: str, tmp_path: Path
) -> None:
    out = tmp_path / "skk.zip"
    code, text = await smart(
        system, "report", "--kec", KEC, "--year", "2023", "--format", "csv", "--out", str(out)
    )
    assert code == 0, text
    archive = zipfile.ZipFile(out)
    packages = table(archive, "paket_per_desa.csv")
    assert len(packages) == 1 + 20
    assert sum(int(row[2]) for row in packages[1:]) == 150
    assert sum(int(row[3]) for row in packages[1:]) == 15_000_000
    assert all(0 < int(row[4]) <= int(row[2]) for row in packages[1:] if int(row[2]))
    assert table(archive, "temuan_per_tahun.csv")[1:] == [
        ["2021", "20"],
        ["2022", "10"],
        ["2023", "7"],
    ]
    months = table(archive, "donasi_per_bulan.csv")[1:]
    assert sum(int(row[1]) for row in months) == sum(g["amount_idr"] for g in sc.donations())
    per_round = sum(amount for _, amount, _ in sc.ROUND_COSTS)
    assert sum(int(row[4]) for row in months) == 15_000_000 + 10 * per_round, "10 rounds"
    monthly = table(archive, "paket_per_desa_bulan.csv")[1:]
    assert {row[0] for row in monthly} == {f"2023-{m:02d}" for m in range(1, 11)}
    assert sum(int(row[3]) for row in monthly) == 150
    about = dict(table(archive, "ringkasan.csv"))
    assert about["sidik_jari_log"] == digest
    activities = {row[0]: row for row in table(archive, "kegiatan.csv")[1:]}
    assert int(activities["Serasa Desa"][2]) > 0, "held Serasa Desa visits are counted"
    assert "," in activities["Serasa Desa"][3], "a share, with the Indonesian decimal mark"
    commas = tmp_path / "skk-comma.zip"
    code, text = await smart(
        system,
        "report",
        "--kec",
        KEC,
        "--year",
        "2023",
        "--format",
        "csv",
        "--sep",
        ",",
        "--out",
        str(commas),
    )
    assert code == 0, text
    heading = zipfile.ZipFile(commas).read("kegiatan.csv").decode("utf-8-sig").splitlines()[0]
    assert heading.startswith("jenis,terjadwal,terlaksana,keterlaksanaan")


async def test_the_html_report_in_english(system: System, digest: str, tmp_path: Path) -> None:
    path = await write_report(system.settings, KEC, 2023, "html", str(tmp_path / "r.html"), "en")
    html = path.read_text()
    assert "SKK report" in html
    assert 'data-figure="packages">150<' in html
    assert "Rp 15,000,000" in html
    assert f'<code id="log-digest">{digest}</code>' in html
    assert "WIB" in html


async def test_the_dashboard_offers_the_pdf_and_the_xlsx(
    system: System, digest: str, tmp_path: Path
) -> None:
    name, password = f"e2e-report-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    code, text = await smart(
        system,
        "user",
        "add",
        "--username",
        name,
        "--role",
        "camat",
        "--kec",
        "35.20.05",
        "--password-stdin",
        stdin=f"{password}\n".encode(),
    )
    assert code == 0, text
    assert f"user added: {name}: camat of {KEC}" in text
    again, text = await smart(
        system,
        "user",
        "add",
        "--username",
        name,
        "--role",
        "auditor",
        "--password-stdin",
        stdin=b"another-password\n",
    )
    assert again == 2
    assert "already exists" in text
    async with httpx.AsyncClient(base_url=system.base_url, timeout=60) as client:
        signed = await sign_in(client, name, password)
        assert signed.status_code == 303
        base = f"/dasbor/{KAB}/{KEC}/laporan"
        page = await client.get(base, params={"tahun": 2023})
        assert page.status_code == 200
        assert 'data-format="pdf"' in page.text
        pdf = await client.get(f"{base}/unduh", params={"tahun": 2023, "format": "pdf"})
        xlsx = await client.get(f"{base}/unduh", params={"tahun": 2023, "format": "xlsx"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert 'filename="laporan-skk-352005-2023.pdf"' in pdf.headers["content-disposition"]
    text = pdf_text(pdf.content)
    assert "KECAMATAN KAWEDANAN" in text
    assert "Tahun Anggaran 2023" in text
    assert "Rp 15.000.000" in text
    assert "Camat Kawedanan" in text
    assert "Halaman 1 dari " in text
    assert digest in text
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    packages = book["Paket sembako"]
    counts = [packages.cell(r, 3).value for r in range(2, packages.max_row)]
    assert len(counts) == 20
    assert sum(counts) == 150
    assert packages.cell(packages.max_row, 3).value == 150, "the totals row"
    assert packages.freeze_panes == "A2"


async def test_a_report_of_a_kecamatan_never_set_up_is_refused(
    system: System, tmp_path: Path
) -> None:
    code, text = await smart(
        system, "report", "--kec", "352099", "--year", "2023", "--out", str(tmp_path / "x.pdf")
    )
    assert code == 2
    assert "NOT_FOUND" in text
    assert not (tmp_path / "x.pdf").exists()
