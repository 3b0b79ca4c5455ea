"""The kuitansi's data: the donation as the fund holds it, and its donor's name opened here,
by the service that owns its key, for the treasury roles only; nothing of it is stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.donations.domain import FUND, DonationNotFound
from shared.contracts.documents import ReceiptDocument, ReceiptQuery
from shared.contracts.donations import TREASURY
from shared.crypto import open_text
from shared.edge.kit import Ctx
from shared.errors import Forbidden
from shared.events.donations import DonationReceived, fund_ref

if TYPE_CHECKING:
    from services.donations.deps import Deps


async def _donor(ctx: Ctx[Deps], donation_id: str) -> str | None:
    """The donor's name, opened from the donation's event; None when anonymous or shredded."""
    keys = ctx.rt.keys
    if keys is None:
        return None
    for stored in await ctx.rt.store.load(fund_ref(ctx.tenant)):
        event = stored.event
        if isinstance(event, DonationReceived) and event.donation_id == donation_id:
            if event.donor_sealed is None:
                return None
            key = await keys.existing(event.sealing_key(fund_ref(ctx.tenant)))
            return open_text(key, event.donor_sealed, donation_id) if key else None
    return None


async def receipt(q: ReceiptQuery, ctx: Ctx[Deps]) -> ReceiptDocument:
    """`receipt`: one donation for its kuitansi (404 unknown; 403 outside the treasury)."""
    if ctx.scope is None or ctx.scope.role not in TREASURY:
        raise Forbidden()
    donation_id = ctx.raw_id
    fund = await ctx.deps.runner.known(
        FUND, fund_ref(ctx.tenant), lambda state: donation_id in state.donations
    )
    donation = fund.state.donations.get(donation_id)
    if donation is None:
        raise DonationNotFound(donation_id[:64])
    return ReceiptDocument(
        donation_id=donation_id,
        receipt_no=donation.receipt_no,
        unit=donation.unit,
        amount_idr=donation.amount_idr,
        received_on=donation.received_on,
        donor=await _donor(ctx, donation_id),
        voided=donation.voided,
    )
