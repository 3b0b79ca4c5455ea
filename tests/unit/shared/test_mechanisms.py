"""Tenancy, subject matching, masking and lookups: pure helpers of the foundation."""

from __future__ import annotations

import pytest

from shared.crypto import lookup_hmac, mask_name, mask_number, open_text, seal_text
from shared.readside.projection import subject_matches
from shared.tenancy import AggregateRef, InvalidRegionCode, Tenant, dot, undot

pytestmark = pytest.mark.unit


def test_region_codes_with_and_without_dots() -> None:
    assert undot("35.20.05.2004") == "3520052004"
    assert dot("3520052004") == "35.20.05.2004"
    assert dot("352005") == "35.20.05"
    assert Tenant.parse("35.20", "35.20.05").kec_dotted == "35.20.05"


@pytest.mark.parametrize(("kab", "kec"), [("352", "352005"), ("3520", "352105"), ("3520", "3520")])
def test_malformed_tenants_are_refused(kab: str, kec: str) -> None:
    with pytest.raises(InvalidRegionCode):
        Tenant(kab, kec)


def test_aggregate_subject_scheme() -> None:
    ref = AggregateRef(Tenant("3520", "352005"), "donations", "fund", "352005")
    assert ref.subject == "smart.3520.352005.donations.fund.352005"
    assert ref.stream == "SMART_3520"
    with pytest.raises(ValueError, match="subject token"):
        AggregateRef(Tenant("3520", "352005"), "donations", "fund", "a.b")


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("smart.3520.*.donations.>", "smart.3520.352005.donations.fund.x", True),
        ("smart.3520.*.donations.>", "smart.3520.352005.scheduler.rota.x", False),
        ("smart.3520.*.scheduler.kecamatan.*", "smart.3520.352005.scheduler.kecamatan.x", True),
        ("smart.3520.*.scheduler.kecamatan.*", "smart.3520.352005.scheduler.kecamatan", False),
        ("smart.>", "smart", False),
    ],
)
def test_nats_wildcards(pattern: str, subject: str, expected: bool) -> None:
    assert subject_matches(pattern, subject) is expected


def test_masks_keep_only_what_the_contract_allows() -> None:
    assert mask_number("3520015501900001") == "3520********0001"
    assert mask_name("Siti  Aminah") == "S*** A*****"


def test_lookup_tokens_are_stable_per_secret_and_never_the_number() -> None:
    one = lookup_hmac("secret-a", "nik", "3520015501900001")
    assert one == lookup_hmac("secret-a", "nik", "3520015501900001")
    assert one != lookup_hmac("secret-b", "nik", "3520015501900001")
    assert one != lookup_hmac("secret-a", "kk", "3520015501900001")
    assert "3520015501900001" not in one


def test_sealed_text_opens_only_with_its_key_and_context() -> None:
    key = bytes(range(32))
    token = seal_text(key, "Jl. Melati 3", "h1:address")
    assert "Melati" not in token
    assert open_text(key, token, "h1:address") == "Jl. Melati 3"
    with pytest.raises(Exception):  # noqa: B017,PT011 - any refusal: wrong context
        open_text(key, token, "h2:address")
