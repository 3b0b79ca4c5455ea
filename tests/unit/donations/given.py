"""Given/when/then helpers for the fund: a fund built from events, refusals checked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import reduce
from typing import Any

import pytest

from services.donations.domain import Fund, Rules, evolve
from shared.errors import DomainError
from shared.events.base import DomainEvent
from shared.events.donations import DonationReceived, PackagesProcured

TODAY = date(2024, 3, 15)
UNITS = ("Kantor Kecamatan", "Desa Balerejo", "Kelurahan Kawedanan")
RULES = Rules(today=TODAY, units=UNITS)


def given(*events: DomainEvent) -> Fund:
    return reduce(evolve, events, Fund())


def received(
    donation_id: str,
    amount: int,
    *,
    on: date = date(2024, 3, 1),
    receipt: int = 1,
    unit: str = "Desa Balerejo",
    balance: int | None = None,
) -> DonationReceived:
    return DonationReceived(
        donation_id=donation_id,
        unit=unit,
        amount_idr=amount,
        received_on=on,
        receipt_no=receipt,
        anonymous=True,
        donor_sealed=None,
        balance_after_idr=amount if balance is None else balance,
    )


def procured(procurement_id: str, packages: int, price: int, balance: int) -> PackagesProcured:
    return PackagesProcured(
        procurement_id=procurement_id,
        packages=packages,
        unit_price_idr=price,
        total_idr=packages * price,
        purchased_on=date(2024, 3, 2),
        supplier="Toko Makmur",
        balance_after_idr=balance,
    )


def refused(when: Callable[[], Any], code: str, status: int = 409) -> DomainError:
    """Then: the command is refused with `code`, in Bahasa Indonesia and in English."""
    with pytest.raises(DomainError) as caught:
        when()
    error = caught.value
    assert (error.code, error.status) == (code, status)
    assert error.message
    assert error.message_en
    assert error.message != error.message_en
    return error
