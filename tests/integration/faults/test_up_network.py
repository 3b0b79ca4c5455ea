"""`smart up --host 0.0.0.0` serves the dashboard to the office network (an operator's phone);
by default it answers only on this machine."""

from __future__ import annotations

import re

import httpx
import pytest

from services.cli.up import Listen
from tests.integration.faults.conftest import Up

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(180)]


def _network_address() -> str:
    addresses = Listen("0.0.0.0", 1).network_addresses()  # noqa: S104 - the machine's own
    if not addresses or addresses[0].startswith("127."):
        pytest.fail(f"this machine has no address outside loopback: {addresses}")
    return addresses[0]


async def _health(url: str) -> int:
    async with httpx.AsyncClient(timeout=5) as client:
        return (await client.get(f"{url}/health")).status_code


async def test_host_all_interfaces_is_reached_on_the_printed_address(up: Up) -> None:
    up.options = ("--host", "0.0.0.0")  # noqa: S104 - what the test is about
    up.start()
    await up.healthy(120)
    address = _network_address()
    printed = re.findall(
        r"http://([0-9.]+):(\d+)/\s+\(from the office network\)", up.log.read_text()
    )
    assert (address, str(up.http_port)) in printed
    assert await _health(f"http://{address}:{up.http_port}") == 200


async def test_by_default_only_this_machine_is_answered(up: Up) -> None:
    up.start()
    await up.healthy(120)
    with pytest.raises(httpx.ConnectError):
        await _health(f"http://{_network_address()}:{up.http_port}")
    assert "from the office network" not in up.log.read_text()
