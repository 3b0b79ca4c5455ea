"""The dashboard session's small rules: where sign-in may lead back to."""

from __future__ import annotations

import pytest

from services.gateway.web.session import safe_next

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/dasbor/3520/352005", "/dasbor/3520/352005"),
        ("//evil.example/x", "/dasbor"),
        ("https://evil.example", "/dasbor"),
        ("/\\evil", "/dasbor"),
        (None, "/dasbor"),
    ],
)
def test_sign_in_only_leads_back_into_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected
