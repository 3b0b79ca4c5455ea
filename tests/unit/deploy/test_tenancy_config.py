"""The generated NATS accounts: each kabupaten its own account, a user per role in it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from shared.infra.accounts import Tenancy
from shared.infra.cluster import leaf_node
from shared.infra.permissions import ServiceRole

pytestmark = pytest.mark.unit
DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
SERVICES = [ServiceRole("donations", ("donations__fund",))]
ROLES = ("admin", "scheduler", "donations", "distribution", "integrity", "audit", "auditor")


def users(conf: str) -> dict[str, dict[str, object] | None]:
    """Each user of the configuration and its permissions (None: all)."""
    found: dict[str, dict[str, object] | None] = {}
    for line in conf.splitlines():
        match = re.match(r'\s*\{user: "([^"]+)", password: [^,}]+(?:, permissions: (.*))?\}$', line)
        if match:
            found[match[1]] = json.loads(match[2]) if match[2] else None
    return found


def test_every_role_of_a_kabupaten_is_a_user_of_its_account() -> None:
    tenancy = Tenancy(["3520"], services=SERVICES, password=lambda u: f"pw-{u}")
    conf = tenancy.accounts_conf()
    found = users(conf)
    assert set(found) == set(tenancy.users())
    assert found["kab3520_admin"] is None
    donations = found["kab3520_donations"]
    assert donations is not None
    publish = donations["publish"]
    assert isinstance(publish, dict)
    assert "smart.3520.*.donations.>" in publish["allow"]
    assert not [p for p in publish["allow"] if re.match(r"\$JS\.API\.STREAM\.\*", p)]
    assert '"pw-kab3520_donations"' in conf


def test_each_kabupaten_is_an_account_and_the_gateway_imports_only_rpc() -> None:
    conf = Tenancy(["3520", "3521"], leaves=["352005"], services=SERVICES).accounts_conf()
    assert "KAB_3520: {\n    jetstream: enabled" in conf
    assert "KAB_3521: {\n    jetstream: enabled" in conf
    assert '{user: "leaf352005", password: $LEAF352005_PASSWORD}' in conf
    kab3520 = conf[conf.index("KAB_3520:") : conf.index("KAB_3521:")]
    assert "3521" not in kab3520
    gateway = conf[conf.index("GATEWAY:") :]
    assert 'subject: "smartrpc.3520.>"' in gateway
    assert 'subject: "smartrpc.3521.>"' in gateway
    assert "smart.3520." not in gateway
    assert set(users(gateway)) == {"gateway", "gateway_admin"}


def test_passwords_come_from_the_servers_environment() -> None:
    conf = Tenancy(["3520"], services=SERVICES).accounts_conf()
    assert "password: $KAB3520_DONATIONS_PASSWORD," in conf
    assert "password: $KAB3520_ADMIN_PASSWORD}" in conf


def test_the_committed_accounts_file_is_what_the_generator_writes() -> None:
    tenancy = Tenancy(["3519", "3520", "3521"], leaves=["352005"])
    committed = (DEPLOY / "nats" / "accounts.conf").read_text()
    assert committed.split("\n", 1)[1] == tenancy.accounts_conf()


def test_an_office_lets_in_only_its_roles_as_the_committed_file_says() -> None:
    tenancy = Tenancy(["3520"], leaves=["352005"])
    office = tenancy.office_authorization("352005")
    found = users(office)
    assert set(found) == {tenancy.office_user("352005", r) for r in ROLES}
    assert found["office352005_admin"] is None
    assert "3521" not in office
    committed = (DEPLOY / "nats" / "leaf-users.conf").read_text()
    assert committed.split("\n", 2)[2] == office


def test_an_office_leaf_never_carries_log_or_rpc_subjects_over_its_link(tmp_path: Path) -> None:
    node = leaf_node(tmp_path, "352005", ["nats-leaf://127.0.0.1:7422"], "leaf352005", "pw")
    conf = node.config()
    assert 'domain: "kec352005"' in conf
    assert "sync_interval: always" in conf
    assert "nats-leaf://leaf352005:pw@127.0.0.1:7422" in conf
    assert 'deny_exports: ["smart.>", "smartrpc.>"]' in conf
    assert 'deny_imports: ["smart.>", "smartrpc.>"]' in conf


def test_every_deployed_process_logs_in_as_its_own_role() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]
    for name in ("scheduler", "donations", "distribution", "integrity", "audit", "gateway"):
        env = compose[name]["environment"]
        nats_user = "gateway" if name == "gateway" else f"kab3520_{name}"
        assert {u.split("//")[1].split(":")[0] for u in env["SMART_NATS_URL"].split(",")} == {
            nats_user
        }, name
        database = env.get("SMART_DATABASE_URL")
        if name in ("audit", "gateway"):
            assert database is None, name
        else:
            assert database.startswith(f"postgresql://{name}:"), name
        if name != "gateway":
            assert compose[name]["depends_on"]["provision"]["condition"] == (
                "service_completed_successfully"
            )
    assert compose["provision"]["command"] == ["provision", "--kab", "3520"]
    assert "kab3520_admin:" in compose["provision"]["environment"]["SMART_NATS_URL"]
    manifests = [d for d in yaml.safe_load_all((DEPLOY / "k8s" / "services.yaml").read_text()) if d]
    for deployment in (d for d in manifests if d["kind"] == "Deployment"):
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        role = container["args"][1]
        refs = {
            e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"] if "valueFrom" in e
        }
        assert refs["SMART_NATS_URL"]["key"] in (f"kab3520-{role}-url", "gateway-url")
        if role in ("audit", "gateway"):
            assert "SMART_DATABASE_URL" not in refs
        else:
            assert refs["SMART_DATABASE_URL"] == {"name": "smart-db-roles", "key": f"{role}-uri"}
