"""Internal queries the gateway's documents ask of the services (kuitansi, SKK report, BAST,
recipients export): not paths of the public contract, so no OPERATIONS here.

Personal data a signed document must print (a donor's name, a recipient's name) is opened
by the service that owns its key and travels only in the reply to the gateway, which prints
it on the document; it is never stored in clear anywhere."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import Field, StringConstraints

from shared.contracts.base import Command, Int, Query, QueryInt, Reply

QueryYear = Annotated[QueryInt, Field(ge=1900, le=9999)]


class ReceiptQuery(Query):
    """The kuitansi of the donation of the path (`{id}`): with the donor's name opened."""

    service: ClassVar[str] = "donations"
    rpc: ClassVar[str] = "receipt"


class ReceiptDocument(Reply):
    """What a kuitansi prints. `donor` None: anonymous ("Hamba Allah"), or its key shredded."""

    donation_id: str
    receipt_no: int
    unit: str
    amount_idr: int
    received_on: date
    donor: str | None
    voided: bool


class FindingsRegisterQuery(Query):
    """The year's findings (dismissed left out) counted by category, subject type and
    severity: what the SKK report lists; no unit, no official, no free text."""

    service: ClassVar[str] = "integrity"
    rpc: ClassVar[str] = "findings_register"

    year: QueryYear


class FindingsGroup(Reply):
    category: str
    subject_type: str | None
    """None while the findings carry no subject type (before findings v2)."""
    ringan: int
    sedang: int
    berat: int
    open: int

    @property
    def total(self) -> int:
        return self.ringan + self.sedang + self.berat


class FindingsRegister(Reply):
    year: int
    groups: list[FindingsGroup]


EXPORTERS = frozenset({"admin", "camat"})
"""Who may export recipients by name: the camat answers for the kecamatan's data and signs
what goes to the Dinas Sosial; an admin runs the deployment. Not the operator (one desa's
field work), the bendahara (the books) nor the auditor (figures, never people)."""


class ExportRecipients(Command):
    """Export the year's hand-outs with the recipients' names in clear (one desa's if
    `desa` is given); the export itself is recorded in the log."""

    service: ClassVar[str] = "distribution"
    rpc: ClassVar[str] = "recipients_export"

    year: Int = Field(ge=2000, le=2100)
    desa: (
        Annotated[str, StringConstraints(pattern=r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$")]
        | None
    ) = None


class RecipientRow(Reply):
    """One hand-out as the Dinas Sosial reconciles it. `head_name` and `received_name` are
    in clear (None once the household is forgotten); the NIK stays masked."""

    bast_no: str | None
    distributed_on: date
    desa: str
    household_id: str
    head_name: str | None
    nik_masked: str | None
    relation: str | None
    received_name: str | None
    desil: int | None
    registry: str | None
    value_idr: int


class RecipientsExport(Reply):
    export_id: str
    year: int
    desa: str | None
    rows: list[RecipientRow]

    def __repr__(self) -> str:
        return f"RecipientsExport({self.export_id}, {len(self.rows)} rows)"
