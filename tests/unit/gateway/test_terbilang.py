"""Terbilang: an amount in words in Bahasa Indonesia, as a kuitansi writes it."""

from __future__ import annotations

import pytest

from services.gateway.documents.terbilang import rupiah_in_words, terbilang

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol"),
        (1, "satu"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (45, "empat puluh lima"),
        (100, "seratus"),
        (111, "seratus sebelas"),
        (250, "dua ratus lima puluh"),
        (1_000, "seribu"),
        (1_100, "seribu seratus"),
        (2_000, "dua ribu"),
        (11_000, "sebelas ribu"),
        (100_000, "seratus ribu"),
        (115_000, "seratus lima belas ribu"),
        (1_000_000, "satu juta"),
        (1_500_000, "satu juta lima ratus ribu"),
        (2_250_750, "dua juta dua ratus lima puluh ribu tujuh ratus lima puluh"),
        (100_000_000, "seratus juta"),
        (1_001_001_001, "satu miliar satu juta seribu satu"),
        (7_000_000_000_000, "tujuh triliun"),
    ],
)
def test_terbilang(amount: int, words: str) -> None:
    assert terbilang(amount) == words


def test_a_receipts_amount_line_and_no_negative_amounts() -> None:
    assert rupiah_in_words(15_000_000) == "Lima belas juta rupiah"
    with pytest.raises(ValueError, match="negative"):
        terbilang(-1)
