"""The dashboard's two languages: words, numbers and rupiah in each convention."""

from __future__ import annotations

import pytest

from services.gateway.web.i18n import KINDS, TEXTS, Words, pick_lang

pytestmark = pytest.mark.unit


def test_bahasa_indonesia_is_the_default_and_lang_wins_over_the_cookie() -> None:
    assert pick_lang(None, None) == "id"
    assert pick_lang("en", "id") == "en"
    assert pick_lang(None, "en") == "en"
    assert pick_lang("fr", None) == "id"


def test_rupiah_uses_dots_in_indonesian_and_commas_in_english() -> None:
    assert Words("id").rupiah(15_000_000) == "Rp 15.000.000"
    assert Words("en").rupiah(15_000_000) == "Rp 15,000,000"
    assert Words("id").number(150) == "150"


def test_percent_has_a_decimal_comma_in_indonesian_and_a_dash_without_a_whole() -> None:
    assert Words("id").percent(84, 100) == "84,0%"
    assert Words("en").percent(7, 8) == "87.5%"
    assert Words("id").percent(3, 0) == "-"


def test_every_word_and_kind_exists_in_both_languages() -> None:
    for table in (TEXTS, KINDS):
        for key, (indonesian, english) in table.items():
            assert indonesian, key
            assert english, key
    assert Words("en")("signin") == "Sign in"
    assert Words("id")("signin") == "Masuk"
    assert Words("id").month(8) == "Agu"
    assert Words("en").kind("SERASA_DESA").startswith("Serasa Desa")
