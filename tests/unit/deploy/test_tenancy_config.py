"""The generated NATS accounts: each kabupaten its own account, users limited to its subjects."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.infra.cluster import Tenancy, kab_permissions, leaf_node

pytestmark = pytest.mark.unit
DEPLOY = Path(__file__).resolve().parents[3] / "deploy"


def test_a_kabupaten_user_may_touch_only_its_own_log_rpc_and_streams() -> None:
    perms = kab_permissions("3520")
    assert "smart.3520.>" in perms["publish"]
    assert "smartrpc.3520.>" in perms["publish"]
    assert "$JS.API.STREAM.*.SMART_3520" in perms["publish"]
    assert "$JS.API.DIRECT.GET.KV_distribution_claims_3520.>" in perms["publish"]
    everything = " ".join(perms["publish"] + perms["subscribe"])
    assert "3521" not in everything
    assert "$JS.API.>" not in perms["publish"]
    assert not any(p in ("smart.>", ">", "smart.*.>") for p in perms["publish"])


def test_each_kabupaten_is_an_account_and_the_gateway_imports_only_rpc() -> None:
    conf = Tenancy(
        {"3520": "a", "3521": "b"}, leaves={"352005": "l"}, gateway_password="g"
    ).accounts_conf()
    assert "KAB_3520: {\n    jetstream: enabled" in conf
    assert "KAB_3521: {\n    jetstream: enabled" in conf
    assert '{user: "leaf352005", password: "l"}' in conf
    gateway = conf[conf.index("GATEWAY:") :]
    assert 'subject: "smartrpc.3520.>"' in gateway
    assert 'subject: "smartrpc.3521.>"' in gateway
    assert "smart.3520.>" not in gateway


def test_passwords_can_come_from_the_servers_environment() -> None:
    conf = Tenancy({"3520": "$KAB3520_PASSWORD"}).accounts_conf()
    assert "password: $KAB3520_PASSWORD," in conf


def test_the_committed_accounts_file_is_what_the_generator_writes() -> None:
    tenancy = Tenancy(
        {k: f"$KAB{k}_PASSWORD" for k in ("3519", "3520", "3521")},
        leaves={"352005": "$LEAF352005_PASSWORD"},
        gateway_password="$GATEWAY_PASSWORD",
    )
    committed = (DEPLOY / "nats" / "accounts.conf").read_text()
    assert committed.split("\n", 1)[1] == tenancy.accounts_conf()


def test_an_office_leaf_never_carries_log_or_rpc_subjects_over_its_link(tmp_path: Path) -> None:
    node = leaf_node(tmp_path, "352005", ["nats-leaf://127.0.0.1:7422"], "leaf352005", "pw")
    conf = node.config()
    assert 'domain: "kec352005"' in conf
    assert "sync_interval: always" in conf
    assert "nats-leaf://leaf352005:pw@127.0.0.1:7422" in conf
    assert 'deny_exports: ["smart.>", "smartrpc.>"]' in conf
    assert 'deny_imports: ["smart.>", "smartrpc.>"]' in conf
