"""Credentials per role: made once and private, given to the right connection, and
permissions that leave stream management to the admin alone."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from shared.config import Settings
from shared.infra.credentials import (
    NATS,
    OPERATOR,
    POSTGRES,
    CredentialsMissing,
    CredentialStore,
    admin_settings,
    nats_authorization,
    operator_settings,
    public,
    role_settings,
    with_user,
    without_user,
)
from shared.infra.embedded import nats_server_binary
from shared.infra.permissions import (
    ADMIN,
    AUDIT,
    AUDITOR,
    GATEWAY,
    Permissions,
    ServiceRole,
    permissions_of,
)
from shared.infra.pgauth import hba_conf, scram_verifier
from shared.readside.projection import subject_matches

pytestmark = pytest.mark.unit
SERVICES = [
    ServiceRole("donations", ("donations__fund",)),
    ServiceRole(
        "distribution", ("distribution__households",), lambda k: [f"distribution_claims_{k}"]
    ),
    ServiceRole("scheduler", ("scheduler__kecamatan",)),
]
ROLES = (GATEWAY, AUDIT, AUDITOR, *(s.name for s in SERVICES))
MANAGING = [
    f"$JS.API.STREAM.{action}.{stream}"
    for action in ("CREATE", "UPDATE", "DELETE", "PURGE", "MSG.DELETE")
    for stream in ("SMART_3520", "KV_distribution_claims_3520", "KV_SMART_USERS")
]


def allows(perms: Permissions, subject: str) -> bool:
    return any(subject_matches(p, subject) for p in perms.publish) and not any(
        subject_matches(d, subject) for d in perms.deny
    )


def perms(role: str, kab: str | None = None) -> Permissions:
    found = permissions_of(role, SERVICES, kab)
    assert found is not None
    return found


def test_a_password_is_made_once_private_and_kept(tmp_path: Path) -> None:
    store = CredentialStore.of(tmp_path)
    first = store.password(NATS, "donations")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", first)
    assert store.password(NATS, "donations") == first
    assert CredentialStore.of(tmp_path).existing(NATS, "donations") == first
    assert store.password(POSTGRES, "donations") != first
    assert store.path(NATS, "donations").stat().st_mode & 0o777 == 0o600
    assert store.dir.stat().st_mode & 0o777 == 0o700
    assert store.existing(NATS, "gateway") is None


def test_urls_take_and_lose_their_credentials() -> None:
    url = with_user("nats://admin:old@127.0.0.1:4222", "gateway", "pw")
    assert url == "nats://gateway:pw@127.0.0.1:4222"
    assert without_user(url) == "nats://127.0.0.1:4222"
    assert public("nats://a:b@n1:4222, nats://a:b@n2:4222") == "nats://n1:4222,nats://n2:4222"
    assert public(None) == ""


def test_each_role_connects_with_its_own_credentials(tmp_path: Path) -> None:
    store = CredentialStore.of(tmp_path)
    settings = Settings(
        nats_url="nats://admin:a@127.0.0.1:1,nats://admin:a@127.0.0.1:2",
        database_url="postgresql://smart_operator:o@127.0.0.1:3/postgres",
        credentials_dir=store.dir,
    )
    nats_pw, pg_pw, gw_pw = (
        store.password(NATS, "donations"),
        store.password(POSTGRES, "donations"),
        store.password(NATS, GATEWAY),
    )
    donations = role_settings(settings, "donations")
    assert donations.nats_servers() == [
        f"nats://donations:{nats_pw}@127.0.0.1:1",
        f"nats://donations:{nats_pw}@127.0.0.1:2",
    ]
    assert donations.database_url == f"postgresql://donations:{pg_pw}@127.0.0.1:3/postgres"
    gateway = role_settings(settings, GATEWAY)
    assert (
        gateway.nats_url == f"nats://gateway:{gw_pw}@127.0.0.1:1,nats://gateway:{gw_pw}@127.0.0.1:2"
    )
    assert gateway.database_url is None
    assert role_settings(settings, "tally") == settings
    assert role_settings(settings.model_copy(update={"credentials_dir": None}), GATEWAY) == (
        settings.model_copy(update={"credentials_dir": None})
    )
    assert admin_settings(settings) is None
    with pytest.raises(CredentialsMissing):
        operator_settings(settings)
    store.password(NATS, ADMIN)
    store.password(POSTGRES, OPERATOR)
    admin = admin_settings(settings)
    assert admin is not None
    assert admin.database_url is None


def test_no_role_but_the_admin_may_manage_a_stream() -> None:
    assert permissions_of(ADMIN, SERVICES) is None
    for role in ROLES:
        for kab in (None, "3520"):
            found = perms(role, kab)
            assert not [s for s in MANAGING if allows(found, s)], (role, kab)
            assert not {"$JS.API.>", ">", "$JS.>", "smart.>"} & set(found.publish)


def test_each_service_publishes_its_own_events_and_key_only() -> None:
    for service in SERVICES:
        found = perms(service.name)
        assert allows(found, f"smart.3520.352005.{service.name}.fund.352005")
        assert allows(found, f"smart.3520.352000.audit.keys.{service.name}")
        for other in SERVICES:
            if other is not service:
                assert not allows(found, f"smart.3520.352005.{other.name}.fund.352005")
                assert not allows(found, f"smart.3520.352000.audit.keys.{other.name}")
                durable = other.durables[0]
                assert not allows(found, f"$JS.API.CONSUMER.DURABLE.CREATE.SMART_3520.{durable}")
        assert not allows(found, "smart.3520.352000.audit.log.3520")
        assert not allows(found, "$KV.SMART_USERS.admin")
        assert not allows(found, "$JS.API.DIRECT.GET.KV_SMART_USERS")
        assert found.subscribe == (
            f"smartrpc.*.{service.name}.>",
            f"smartops.{service.name}.>",
            f"_INBOX.{service.name}.>",
        )
    assert allows(perms("distribution"), "$KV.distribution_claims_3520.kk.ab12")
    assert not allows(perms("donations"), "$KV.distribution_claims_3520.kk.ab12")


def test_the_gateway_requests_the_auditor_reads_the_signer_signs() -> None:
    gateway, auditor, signer = perms(GATEWAY), perms(AUDITOR), perms(AUDIT)
    assert allows(gateway, "smartrpc.3520.donations.donation_receive")
    assert allows(gateway, "$KV.SMART_USERS.admin")
    assert not [p for p in gateway.publish if p.startswith("smart.")]
    assert not allows(gateway, "$JS.API.CONSUMER.CREATE.SMART_3520")
    assert not gateway.responses
    for reader in (gateway, auditor, signer):
        assert allows(reader, "$JS.API.DIRECT.GET.SMART_3520")
        assert allows(reader, "$JS.API.STREAM.INFO.SMART_3520")
    assert not [p for p in auditor.publish if not p.startswith(("$JS.API.", "$JS.FC."))]
    assert not auditor.responses
    assert allows(signer, "smart.3520.352000.audit.log.3520")
    assert allows(signer, "smart.3520.352000.audit.keys.audit")
    assert not allows(signer, "smart.3520.352000.audit.keys.donations")
    assert not allows(signer, "smart.3520.352005.donations.fund.352005")


def test_in_a_kabupatens_account_nothing_names_another_kabupaten() -> None:
    for role in ROLES:
        text = perms(role, "3520").conf()
        assert "3521" not in text, role
        if role != GATEWAY:
            assert "SMART_3520" in text, role
    distribution = perms("distribution", "3520")
    assert allows(distribution, "$KV.distribution_claims_3520.kk.ab12")
    assert not allows(distribution, "$KV.distribution_claims_3521.kk.ab12")


def test_the_embedded_server_accepts_its_users_and_no_one_else(tmp_path: Path) -> None:
    store = CredentialStore.of(tmp_path)
    block = nats_authorization(store, SERVICES)
    for role in (ADMIN, *ROLES):
        assert f'{{user: "{role}", password: "{store.password(NATS, role)}"' in block
    assert block.count("permissions") == len(ROLES)
    assert "no_auth_user" not in block
    conf = tmp_path / "nats.conf"
    conf.write_text(f'listen: "127.0.0.1:-1"\njetstream {{ store_dir: "{tmp_path}" }}\n{block}')
    checked = subprocess.run(
        [str(nats_server_binary()), "-t", "-c", str(conf)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_postgres_keeps_a_verifier_and_asks_a_password_over_tcp() -> None:
    verifier = scram_verifier("pencil", salt=b"0123456789abcdef")
    assert verifier == scram_verifier("pencil", salt=b"0123456789abcdef")
    assert re.fullmatch(
        r"SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}", verifier
    )
    assert "pencil" not in verifier
    assert scram_verifier("pencil") != scram_verifier("pencil")
    lines = [line.split() for line in hba_conf().splitlines() if not line.startswith("#")]
    assert all(line[-1] == "scram-sha-256" for line in lines if line[0] == "host")
    assert [line[:3] for line in lines if line[0] == "local"] == [["local", "all", "postgres"]]
    assert "trust" not in hba_conf()
