"""Dashboard users: argon2 hashes, usernames, and each role's area."""

from __future__ import annotations

import pytest

from services.cli.main import ROLES, main
from services.gateway.auth import Role, read_token
from services.gateway.users import UserError, new_user, password_matches

pytestmark = pytest.mark.unit


def test_a_password_is_kept_only_as_an_argon2_hash() -> None:
    user = new_user("camat-kawedanan", "rahasia-sekali", Role.CAMAT, kec="35.20.05")
    assert user.password_hash.startswith("$argon2")
    assert "rahasia-sekali" not in user.model_dump_json()
    assert password_matches(user.password_hash, "rahasia-sekali")
    assert not password_matches(user.password_hash, "rahasia-salah")
    assert not password_matches("not a hash", "rahasia-sekali")


def test_codes_lose_their_dots_and_the_kabupaten_follows_the_kecamatan() -> None:
    user = new_user("op", "rahasia-sekali", Role.OPERATOR, kec="35.20.05", desa="35.20.05.2004")
    assert (user.kab, user.kec, user.desa) == ("3520", "352005", "3520052004")


@pytest.mark.parametrize(
    ("role", "area"),
    [
        (Role.CAMAT, {}),
        (Role.BENDAHARA, {}),
        (Role.BENDAHARA, {"kab": "3521", "kec": "352005"}),
        (Role.OPERATOR, {"kec": "352005"}),
        (Role.OPERATOR, {"kec": "352005", "desa": "3520062004"}),
        (Role.CAMAT, {"kab": "3521", "kec": "352005"}),
    ],
)
def test_a_role_needs_an_area_inside_the_one_above_it(role: Role, area: dict[str, str]) -> None:
    with pytest.raises(UserError):
        new_user("someone", "rahasia-sekali", role, **area)


@pytest.mark.parametrize(("name", "password"), [("Admin!", "rahasia-sekali"), ("ok", "short")])
def test_usernames_are_plain_and_passwords_long_enough(name: str, password: str) -> None:
    with pytest.raises(UserError):
        new_user(name, password, Role.AUDITOR)


def test_an_admin_or_auditor_may_have_no_area() -> None:
    assert new_user("auditor", "rahasia-sekali", Role.AUDITOR).kab is None


def test_a_bendahara_keeps_the_books_of_one_kecamatan() -> None:
    user = new_user("bendahara", "rahasia-sekali", Role.BENDAHARA, kec="35.20.05")
    assert (user.role, user.kab, user.kec, user.desa) == (Role.BENDAHARA, "3520", "352005", None)


def test_the_command_line_offers_every_role() -> None:
    assert sorted(ROLES) == sorted(Role)


def test_smart_token_prints_a_bendahara_token_for_one_kecamatan(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SMART_SECRET_KEY", "unit-secret")
    assert main(["token", "--role", "bendahara"]) == 2
    assert "needs --kec" in capsys.readouterr().err
    assert main(["token", "--role", "bendahara", "--kec", "35.20.05"]) == 0
    claims = read_token("unit-secret", capsys.readouterr().out.splitlines()[-1])
    assert (claims.role, claims.kab, claims.kec) == (Role.BENDAHARA, "3520", "352005")
