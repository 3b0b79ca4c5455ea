"""The service's own settings and the ids it derives from command ids."""

from __future__ import annotations

import pytest

from services.donations.deps import DonationsSettings
from services.donations.handlers import derived_id

pytestmark = pytest.mark.unit


def test_the_donation_ceiling_defaults_to_100_million_and_is_configurable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SMART_DONATIONS_MAX_DONATION_IDR", raising=False)
    assert DonationsSettings().max_donation_idr == 100_000_000
    monkeypatch.setenv("SMART_DONATIONS_MAX_DONATION_IDR", "2500000")
    assert DonationsSettings().max_donation_idr == 2_500_000


def test_ids_are_fixed_by_the_command_id_so_a_retry_targets_the_same_thing() -> None:
    assert derived_id("donation", "cmd-1") == derived_id("donation", "cmd-1")
    assert derived_id("donation", "cmd-1") != derived_id("donation", "cmd-2")
    assert derived_id("donation", "cmd-1") != derived_id("procurement", "cmd-1")
