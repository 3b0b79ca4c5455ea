"""deploy/ checked without a container engine: every YAML against vendored schemas, configs
parsed by the pinned nats-server, and the invariants the deployment relies on."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from shared.infra.accounts import Tenancy
from shared.infra.embedded import nats_server_binary

pytestmark = pytest.mark.unit
DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
SCHEMAS = {
    ("apps/v1", "Deployment"): "k8s-deployment",
    ("v1", "Service"): "k8s-service",
    ("v1", "Namespace"): "k8s-namespace",
    ("postgresql.cnpg.io/v1", "Cluster"): "cnpg-cluster",
    ("batch/v1", "Job"): "k8s-job",
}
SERVICES = ("scheduler", "donations", "distribution", "integrity")


def validator(name: str) -> Any:
    schema = json.loads((DEPLOY / "schemas" / f"{name}.json").read_text())
    return jsonschema_rs.validator_for(schema)


def documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def errors(name: str, document: dict[str, Any]) -> list[str]:
    return [f"{e.instance_path}: {e.message}" for e in validator(name).iter_errors(document)]


def k8s() -> list[dict[str, Any]]:
    return [
        d
        for f in sorted((DEPLOY / "k8s").glob("*.yaml"))
        if f.name != "nats-values.yaml"
        for d in documents(f)
    ]


def test_every_kubernetes_manifest_matches_its_schema() -> None:
    found = k8s()
    assert {d["kind"] for d in found} == {"Deployment", "Service", "Namespace", "Cluster", "Job"}
    for document in found:
        schema = SCHEMAS[(document["apiVersion"], document["kind"])]
        assert errors(schema, document) == [], document["metadata"]["name"]


def test_the_schemas_refuse_what_is_wrong() -> None:
    deployment = next(d for d in k8s() if d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    assert errors("k8s-deployment", deployment)
    values = documents(DEPLOY / "k8s" / "nats-values.yaml")[0]
    values["config"]["cluster"]["replicas"] = 1
    assert errors("nats-helm-values", values)


def test_every_service_runs_twice_with_health_probes_on_the_ops_port() -> None:
    deployments = {d["metadata"]["name"]: d for d in k8s() if d["kind"] == "Deployment"}
    for name in SERVICES:
        spec = deployments[f"smart-{name}"]["spec"]
        assert spec["replicas"] == 2
        assert (
            spec["selector"]["matchLabels"].items()
            <= spec["template"]["metadata"]["labels"].items()
        )
        container = spec["template"]["spec"]["containers"][0]
        assert container["args"] == ["run", name]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["SMART_STREAM_REPLICAS"] == "3"
        assert env["SMART_METRICS_PORT"] == "9100"
    gateway = deployments["smart-gateway"]["spec"]["template"]["spec"]["containers"][0]
    assert gateway["readinessProbe"]["httpGet"]["path"] == "/health"


def test_nats_helm_values_give_a_three_node_cluster_that_fsyncs_every_ack() -> None:
    values = documents(DEPLOY / "k8s" / "nats-values.yaml")[0]
    assert errors("nats-helm-values", values) == []
    assert values["config"]["cluster"]["replicas"] == 3
    assert values["config"]["jetstream"]["merge"]["sync_interval"] == "always"
    assert values["config"]["leafnodes"]["enabled"] is True


def test_compose_runs_three_nats_nodes_postgres_and_every_service_twice() -> None:
    compose = documents(DEPLOY / "compose.yaml")[0]
    assert errors("compose", compose) == []
    services = compose["services"]
    assert {f"nats-{i}" for i in (1, 2, 3)} <= services.keys()
    assert "postgres" in services
    for name in (*SERVICES, "gateway"):
        assert services[name]["deploy"]["replicas"] == 2, name
        assert services[name]["command"] == ["run", name]
    assert services["audit"]["command"] == ["run", "audit"]
    urls = services["donations"]["environment"]["SMART_NATS_URL"].split(",")
    assert [u.rsplit("@", 1)[1] for u in urls] == [f"nats-{i}:4222" for i in (1, 2, 3)]
    assert services["donations"]["environment"]["SMART_STREAM_REPLICAS"] == "3"


def check_config(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(nats_server_binary()), "-t", "-c", path.name],
        cwd=path.parent,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=20,
    )


def test_the_pinned_nats_server_accepts_the_hub_and_leaf_configs() -> None:
    tenancy = Tenancy(["3519", "3520", "3521"], leaves=["352005"])
    secrets = dict.fromkeys((f"{n.upper()}_PASSWORD" for n in tenancy.users()), "x")
    hub = check_config(DEPLOY / "nats" / "hub.conf", {"SERVER_NAME": "nats-1", **secrets})
    assert hub.returncode == 0, hub.stderr
    office = Tenancy(["3520"]).office_authorization("352005")
    users = re.findall(r"password: \$(\w+)", office)
    leaf_env = {"LEAF_PASSWORD": "x", **dict.fromkeys(users, "x")}
    leaf = check_config(DEPLOY / "nats" / "leaf-kecamatan.conf", leaf_env)
    assert leaf.returncode == 0, leaf.stderr
    for path in (DEPLOY / "nats" / "hub.conf", DEPLOY / "nats" / "leaf-kecamatan.conf"):
        assert "sync_interval: always" in path.read_text()
