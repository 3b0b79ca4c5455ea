"""Hand-outs v2 against the ledger: BAST numbers, no future dates, who received, stock
adjustments, evidence files."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from services.distribution.ledger import (
    EvidenceFile,
    Ledger,
    Lot,
    decide_adjust_stock,
    decide_attach_evidence,
    decide_hand_out,
    evolve_ledger,
    sniffed,
)
from shared.contracts.distribution import AdjustStock, HandOutPackage, ReceivedBy
from shared.events.base import Clear, DomainEvent, upcast
from shared.events.distribution import (
    PackageDistributed,
    PackageEvidenceAttached,
    Relation,
    RoundOpened,
    StockAdjusted,
)
from tests.unit.distribution.support import BALEREJO, given, refused
from tests.unit.distribution.test_rounds import KEC, LOTS, hand_out, package

pytestmark = pytest.mark.unit

BIG = RoundOpened(round_id="r1", desa=BALEREJO, month="2025-03", quota=100)
TODAY = date(2025, 3, 21)
MIB = 1024 * 1024


def ledger(*events: DomainEvent) -> Ledger:
    return given(evolve_ledger, Ledger(), *events)


def handed(state: Ledger, household_id: str, **overrides: Any) -> PackageDistributed:
    fields: dict[str, Any] = {"package_id": f"k-{household_id}", "today": TODAY}
    [event] = decide_hand_out(state, hand_out(household_id, **(fields | overrides)))
    assert isinstance(event, PackageDistributed)
    return event


def adjust(packages: int, day: date = TODAY) -> AdjustStock:
    return AdjustStock(packages=packages, reason="rusak terkena banjir", adjusted_on=day)


def test_bast_numbers_count_from_one_per_year_without_gaps() -> None:
    state = ledger(BIG)
    numbers = []
    for household_id in ("h1", "h2", "h3"):
        event = handed(state, household_id)
        numbers.append(event.bast_no)
        state = evolve_ledger(state, event)
    assert numbers == ["BAST/352005/2025/1", "BAST/352005/2025/2", "BAST/352005/2025/3"]
    next_year = RoundOpened(round_id="r2", desa=BALEREJO, month="2026-01", quota=5)
    state = evolve_ledger(state, next_year)
    first = handed(
        state, "h1", round_id="r2", distributed_on=date(2026, 1, 9), today=date(2026, 1, 9)
    )
    assert first.bast_no == "BAST/352005/2026/1"


def test_v1_hand_outs_take_no_number_and_numbering_continues_after_the_numbered() -> None:
    stored_v1 = package(1, "h1").model_dump(mode="json", exclude={"bast_no", "relation"})
    stored_v1.pop("received_name")
    old = upcast(PackageDistributed.type_name(), 1, stored_v1)
    assert isinstance(old, PackageDistributed)
    assert (old.bast_no, old.relation, old.received_name) == (None, None, None)
    state = ledger(BIG, old)
    assert handed(state, "h2").bast_no == "BAST/352005/2025/1"
    state = ledger(BIG, old, package(2, "h2", bast_no="BAST/352005/2025/7"))
    assert handed(state, "h3").bast_no == "BAST/352005/2025/8"


def test_a_hand_out_dated_after_today_in_jakarta_is_refused() -> None:
    late = hand_out("h1", distributed_on=date(2025, 3, 22), today=TODAY)
    error = refused("INVALID", lambda: decide_hand_out(ledger(BIG), late))
    assert (error.status, error.field) == (422, "distributed_on")
    assert handed(ledger(BIG), "h1", distributed_on=TODAY).distributed_on == TODAY


def test_the_head_receives_by_default_and_others_are_named_in_clear_for_sealing() -> None:
    head = handed(ledger(BIG), "h1")
    assert (head.relation, head.received_name) == (Relation.SENDIRI, None)
    family = ReceivedBy(name="Siti Aminah", relation=Relation.KELUARGA)
    other = handed(ledger(BIG), "h1", received_by=family)
    assert other.relation == Relation.KELUARGA
    assert isinstance(other.received_name, Clear)  # the runner seals it before the append
    assert str.__str__(other.received_name) == "Siti Aminah"


def test_a_family_member_or_representative_must_be_named() -> None:
    unnamed = hand_out("h1", received_by=ReceivedBy(relation=Relation.WAKIL), today=TODAY)
    error = refused("INVALID", lambda: decide_hand_out(ledger(BIG), unnamed))
    assert (error.status, error.field) == (422, "received_by.name")


def test_received_by_shape() -> None:
    base = {"household_id": "0190a4e2-0000-7000-8000-000000000001", "distributed_on": "2025-03-01"}
    with pytest.raises(ValidationError) as caught:
        HandOutPackage.model_validate(base | {"received_by": {"name": "A", "relation": "TETANGGA"}})
    assert caught.value.errors()[0]["loc"] == ("received_by", "relation")
    assert HandOutPackage.model_validate(base).received_by.relation == Relation.SENDIRI


def test_an_adjustment_records_the_stock_after_it() -> None:
    state = ledger(BIG)
    [event] = decide_adjust_stock(state, "a1", adjust(-3), LOTS, TODAY)
    assert event == StockAdjusted(
        adjustment_id="a1",
        packages=-3,
        reason="rusak terkena banjir",
        adjusted_on=TODAY,
        in_stock=4,
    )
    assert evolve_ledger(state, event).in_stock(LOTS) == 4


def test_an_adjustment_below_zero_stock_is_no_stock() -> None:
    state = ledger(BIG, package(1, "h1"))
    error = refused("NO_STOCK", lambda: decide_adjust_stock(state, "a1", adjust(-7), LOTS, TODAY))
    assert error.extra == {"in_stock": 6}
    assert decide_adjust_stock(state, "a1", adjust(-6), LOTS, TODAY)


def test_an_adjustment_is_non_zero_with_a_reason_and_not_in_the_future() -> None:
    for body, field in (({"packages": 0}, "packages"), ({"reason": " "}, "reason")):
        with pytest.raises(ValidationError) as caught:
            AdjustStock.model_validate(
                {"packages": -1, "reason": "hilang", "adjusted_on": "2025-03-01"} | body
            )
        assert caught.value.errors()[0]["loc"][0] == field
    late = adjust(-1, date(2025, 3, 22))
    error = refused("INVALID", lambda: decide_adjust_stock(ledger(), "a1", late, LOTS, TODAY))
    assert error.field == "adjusted_on"


def test_hand_outs_see_the_adjusted_stock() -> None:
    lots = [Lot("p1", 2, 100_000)]
    written_off = StockAdjusted(
        adjustment_id="a1", packages=-2, reason="rusak", adjusted_on=TODAY, in_stock=0
    )
    state = ledger(BIG, written_off)
    refused("NO_STOCK", lambda: decide_hand_out(state, hand_out("h1", lots=lots, today=TODAY)))
    found = StockAdjusted(
        adjustment_id="a2", packages=1, reason="ditemukan", adjusted_on=TODAY, in_stock=1
    )
    event = handed(evolve_ledger(state, found), "h1", lots=lots)
    assert (event.procurement_id, event.value_idr) == ("p1", 100_000)  # the latest lot's price


def test_written_off_packages_leave_the_oldest_lot_first() -> None:
    lost = StockAdjusted(
        adjustment_id="a1", packages=-2, reason="hilang", adjusted_on=TODAY, in_stock=5
    )
    event = handed(ledger(BIG, lost), "h1")
    assert (event.procurement_id, event.value_idr) == ("p2", 120_000)


def test_found_packages_without_any_lot_are_worth_nothing() -> None:
    found = StockAdjusted(
        adjustment_id="a1", packages=1, reason="hibah", adjusted_on=TODAY, in_stock=1
    )
    event = handed(ledger(BIG, found), "h1", lots=[])
    assert (event.procurement_id, event.value_idr) == (None, 0)


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (PNG, "image/png"),
        (b"%PDF-1.7\n", "application/pdf"),
    ],
)
def test_evidence_is_judged_by_its_first_bytes(data: bytes, kind: str) -> None:
    assert sniffed(data, 5 * MIB) == kind


@pytest.mark.parametrize(
    "data", [b"", b"GIF89a....", b"<html>", b"\x89PNG" + b"\0" * 4, PNG + b"\0" * 5 * MIB]
)
def test_evidence_of_another_type_or_too_large_is_refused_naming_file(data: bytes) -> None:
    error = refused("INVALID", lambda: sniffed(data, 5 * MIB))
    assert (error.status, error.field) == (422, "file")


def evidence(package_id: str = "k1", sha: str = "a" * 64) -> EvidenceFile:
    return EvidenceFile("e1", package_id, sha, 40, "image/png", f"{KEC}/{package_id}/{sha}")


def test_evidence_is_attached_once_per_package_and_file() -> None:
    state = ledger(BIG, package(1, "h1"))
    [event] = decide_attach_evidence(state, evidence())
    assert isinstance(event, PackageEvidenceAttached)
    state = evolve_ledger(state, event)
    assert state.evidence == {"k1": {"a" * 64: "e1"}}
    assert decide_attach_evidence(state, evidence()) == []
    assert decide_attach_evidence(state, evidence(sha="b" * 64))


def test_evidence_for_an_unknown_package_is_not_found() -> None:
    error = refused("NOT_FOUND", lambda: decide_attach_evidence(ledger(BIG), evidence("k9")))
    assert error.status == 404
