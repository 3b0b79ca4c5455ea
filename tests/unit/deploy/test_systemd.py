"""The systemd unit of a kecamatan machine: always restarted, one data directory, settings
from an environment file, stopped through `smart up` so that it stops the servers in order."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
UNIT = Path(__file__).resolve().parents[3] / "deploy" / "systemd" / "jumat-smart.service"


def _service() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNIT)
    return parser["Service"]


def test_the_unit_restarts_smart_up_on_its_data_directory_with_an_environment_file() -> None:
    service = _service()
    assert service["Restart"] == "always"
    assert service["KillMode"] == "mixed"
    assert service["EnvironmentFile"].lstrip("-") == "/etc/jumat-smart/smart.env"
    command = service["ExecStart"].split()
    assert command[1:4] == ["up", "--data-dir", "/var/lib/jumat-smart"]
    assert service["StateDirectory"] == "jumat-smart"
    assert (UNIT.parent / "smart.env.example").exists()


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    text = UNIT.read_text()
    assert "/opt/jumat-smart/.venv/bin/smart up" in text
    if analyze is None:  # no systemd on this machine: the parse above is what is checked
        return
    copy = tmp_path / UNIT.name
    copy.write_text(text.replace("/opt/jumat-smart/.venv/bin/smart", shutil.which("true") or ""))
    result = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0
    assert result.stdout.strip() == ""
    assert result.stderr.strip() == "", result.stderr
