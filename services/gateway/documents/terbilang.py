"""An amount in words, in Bahasa Indonesia (terbilang), as a kuitansi writes it."""

from __future__ import annotations

ONES = (
    "",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
)
SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"))


def _below_thousand(n: int) -> list[str]:
    if n < 12:
        return [ONES[n]] if n else []
    if n < 20:
        return [ONES[n - 10], "belas"]
    if n < 100:
        return [ONES[n // 10], "puluh", *_below_thousand(n % 10)]
    head = ["seratus"] if n < 200 else [ONES[n // 100], "ratus"]
    return [*head, *_below_thousand(n % 100)]


def _words(n: int) -> list[str]:
    for size, name in SCALES:
        if n >= size:
            return [*_words(n // size), name, *_words(n % size)]
    if n >= 1000:
        head = ["seribu"] if n < 2000 else [*_below_thousand(n // 1000), "ribu"]
        return [*head, *_below_thousand(n % 1000)]
    return _below_thousand(n)


def terbilang(n: int) -> str:
    """`1500000` -> `satu juta lima ratus ribu` (`seratus`, `seribu`, `sebelas`: the forms
    with `se-`); 0 is `nol`. Up to the thousands of trillions; negative amounts refused."""
    if n < 0:
        raise ValueError("terbilang: a negative amount")
    return " ".join(_words(n)) if n else "nol"


def rupiah_in_words(n: int) -> str:
    """`Satu juta lima ratus ribu rupiah`: the amount line of a receipt."""
    text = f"{terbilang(n)} rupiah"
    return text[0].upper() + text[1:]
