"""A service's object stores (the distribution's evidence files) in its NATS permissions:
it writes and reads its own kabupaten's objects, creates or purges no stream; no other role
touches them."""

from __future__ import annotations

import pytest

from services.distribution.main import SPEC
from shared.infra.credentials import service_role
from shared.infra.permissions import GATEWAY, ServiceRole, permissions_of
from tests.unit.shared.test_credentials import allows

pytestmark = pytest.mark.unit

DISTRIBUTION = service_role(SPEC)
DONATIONS = ServiceRole("donations", ("donations__fund",))
ROLES = [DISTRIBUTION, DONATIONS]
OWN = "OBJ_distribution_evidence_3520"
WRITES = ["$O.distribution_evidence_3520.C.nuid1", "$O.distribution_evidence_3520.M.bmFtZQ=="]
READS = [f"$JS.API.STREAM.INFO.{OWN}", f"$JS.API.STREAM.MSG.GET.{OWN}"]
READS += [f"$JS.API.CONSUMER.CREATE.{OWN}", f"$JS.API.CONSUMER.DELETE.{OWN}.x"]
MANAGING = [f"$JS.API.STREAM.{a}.{OWN}" for a in ("CREATE", "UPDATE", "DELETE", "PURGE")]


def test_the_distribution_spec_declares_its_evidence_store_apart_from_its_kv_buckets() -> None:
    assert list(DISTRIBUTION.objects("3520")) == ["distribution_evidence_3520"]
    assert list(DISTRIBUTION.buckets("3520")) == ["distribution_claims_3520"]


@pytest.mark.parametrize("kab", [None, "3520"])
def test_the_service_writes_and_reads_its_objects_and_manages_no_stream(kab: str | None) -> None:
    found = permissions_of("distribution", ROLES, kab)
    assert found is not None
    for subject in WRITES + READS:
        assert allows(found, subject), subject
    for subject in MANAGING:
        assert not allows(found, subject), subject


@pytest.mark.parametrize("role", ["donations", GATEWAY])
@pytest.mark.parametrize("kab", [None, "3520"])
def test_no_other_role_writes_the_evidence(role: str, kab: str | None) -> None:
    found = permissions_of(role, ROLES, kab)
    assert found is not None
    for subject in WRITES:
        assert not allows(found, subject), subject


def test_a_kabupatens_account_names_only_its_own_store() -> None:
    found = permissions_of("distribution", ROLES, "3520")
    assert found is not None
    assert not allows(found, "$O.distribution_evidence_3521.C.nuid1")
    assert "3521" not in found.conf()
