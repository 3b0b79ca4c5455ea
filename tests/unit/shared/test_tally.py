"""Tallies: rows folded per key, each value summed or kept at its largest; pure, no I/O."""

from __future__ import annotations

from datetime import date

import pytest

from shared.readside.tally import Tally

pytestmark = pytest.mark.unit


def rotation() -> Tally:
    return Tally(
        "rotation", ("kec", "desa"), {"turns": "sum", "last_round": "max", "last_day": "max"}
    )


def test_values_are_summed_or_kept_at_their_largest_per_key() -> None:
    tally = rotation()
    tally.add(("k1", "d1"), 1, 2, date(2025, 3, 7))
    tally.add(("k1", "d1"), 1, 1, date(2025, 4, 4))
    tally.add(("k1", "d2"), 1, 3, date(2025, 1, 3))
    assert tally.rows == {
        ("k1", "d1"): [2, 2, date(2025, 4, 4)],
        ("k1", "d2"): [1, 3, date(2025, 1, 3)],
    }


def test_folding_in_parts_then_merging_equals_folding_at_once() -> None:
    moves = [(("k1", "d1"), 1, r, date(2025, 1, r)) for r in (3, 1, 2)]
    moves += [(("k2", "d9"), 1, 5, date(2025, 2, 1))]
    whole, first, second = rotation(), rotation(), rotation()
    for key, *values in moves:
        whole.add(key, *values)
    for i, (key, *values) in enumerate(moves):
        (first if i < 2 else second).add(key, *values)
    first.merge(second)
    assert first.rows == whole.rows
    assert second.empty().rows == {}


def test_the_upsert_adds_sums_and_keeps_maxima() -> None:
    assert rotation().on_conflict() == (
        "on conflict (kec, desa) do update set turns = rotation.turns + excluded.turns,"
        " last_round = greatest(rotation.last_round, excluded.last_round),"
        " last_day = greatest(rotation.last_day, excluded.last_day)"
    )
