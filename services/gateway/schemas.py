"""The public documents: request bodies (OpenAPI; the services validate) and events (AsyncAPI)."""

from __future__ import annotations

import importlib
import inspect
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal
from uuid import UUID

from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI
from pydantic import BaseModel, ConfigDict, Field, create_model

from services.registry import SERVICE_NAMES
from shared.envelope import HEADER_SCHEMA_VERSION, HEADER_TYPE, Envelope
from shared.events.base import DomainEvent

Text = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=4000)]
Kind = Literal["SENAM", "JALAN_JALAN", "BERSIH_BERSIH", "SHOLAWATAN_BERBAGI", "SERASA_DESA"]
AidName = Literal["PKH", "BPNT", "BLT_DD", "PBI_JK", "OTHER"]
DESA_CODE = r"^[0-9]{2}\.?[0-9]{2}\.?[0-9]{2}\.?[0-9]{4}$"


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DesaDoc(_Doc):
    code: str = Field(pattern=DESA_CODE, examples=["35.20.05.2004"])
    name: Text


class DayOffDoc(_Doc):
    date: date
    name: Text


class KecamatanBody(_Doc):
    name: Text
    desa: list[DesaDoc] = Field(min_length=1, max_length=500)
    units: list[Text] = Field(max_length=1000)
    fifth_friday: Kind | None = None
    days_off: list[DayOffDoc] = Field(default_factory=list, max_length=366)


class ScheduleBody(_Doc):
    year: int = Field(ge=2000, le=2100)
    month: int = Field(ge=1, le=12)


class Attendance(_Doc):
    officials: int = Field(ge=0, le=100_000)
    residents: int = Field(ge=0, le=1_000_000)


class HeldBody(_Doc):
    held_on: date
    attendance: Attendance
    notes: LongText | None = None


class ReasonBody(_Doc):
    reason: LongText


class DonationBody(_Doc):
    unit: Text
    amount_idr: int = Field(gt=0, le=100_000_000)
    received_on: date
    donor: str | None = Field(default=None, max_length=200)


class ProcurementBody(_Doc):
    packages: int = Field(ge=1)
    unit_price_idr: int = Field(ge=1)
    purchased_on: date
    supplier: Text


class HouseholdBody(_Doc):
    no_kk: str = Field(pattern=r"^[0-9]{16}$")
    nik: str = Field(pattern=r"^[0-9]{16}$")
    name: Text
    desa: str = Field(pattern=DESA_CODE)
    address: str = Field(min_length=1, max_length=500)
    desil: int = Field(ge=1, le=10)
    registry: Literal["DTKS", "DTSEN"]
    snapshot_date: date
    aid: list[AidName] = Field(default_factory=list)


class AidBody(_Doc):
    aid: list[AidName]
    as_of: date


class RoundBody(_Doc):
    desa: str = Field(pattern=DESA_CODE)
    month: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")
    quota: int = Field(ge=1, le=100_000)


class PackageBody(_Doc):
    household_id: UUID
    distributed_on: date


class FindingBody(_Doc):
    unit: Text
    category: Literal["KEHADIRAN", "PELAYANAN", "ETIKA", "ADMINISTRASI", "KEUANGAN", "GRATIFIKASI"]
    severity: Literal["RINGAN", "SEDANG", "BERAT"]
    found_on: date
    source: Literal["SERASA_DESA", "INSPEKTORAT", "PENGADUAN", "INTERNAL"]
    description: LongText
    visit_id: str | None = Field(default=None, min_length=1, max_length=100)
    official_ref: str | None = Field(
        default=None, max_length=40, pattern=r"^[A-Za-z0-9._/-]*[0-9][A-Za-z0-9._/-]*$"
    )


class FollowUpBody(_Doc):
    action: LongText
    sanction: LongText | None = None


class ActionBody(_Doc):
    action: LongText


BODIES: dict[tuple[str, str], type[BaseModel]] = {
    ("PUT", ""): KecamatanBody,
    ("POST", "/schedule"): ScheduleBody,
    ("POST", "/activities/{id}/held"): HeldBody,
    ("POST", "/activities/{id}/cancel"): ReasonBody,
    ("POST", "/donations"): DonationBody,
    ("POST", "/donations/{id}/void"): ReasonBody,
    ("POST", "/procurements"): ProcurementBody,
    ("POST", "/households"): HouseholdBody,
    ("POST", "/households/{id}/aid"): AidBody,
    ("POST", "/rounds"): RoundBody,
    ("POST", "/rounds/{id}/packages"): PackageBody,
    ("POST", "/findings"): FindingBody,
    ("POST", "/findings/{id}/follow-up"): FollowUpBody,
    ("POST", "/findings/{id}/resolve"): ActionBody,
    ("POST", "/findings/{id}/dismiss"): ReasonBody,
}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A repeat answers exactly the first answer (kept 7 days) and appends nothing",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}
CSV_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
    },
}


def operation_extra(method: str, path: str) -> dict[str, Any] | None:
    """What the OpenAPI document says of a write beyond its signature: body and key."""
    if method == "GET":
        return None
    extra: dict[str, Any] = {"parameters": [IDEMPOTENCY_KEY]}
    model = BODIES.get((method, path))
    if model is not None:
        schema = body_schema(model)
        extra["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    elif path == "/households/import":
        extra["requestBody"] = CSV_BODY
    return extra


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its `$defs` inlined: an operation's schema cannot point
    at `#/$defs`, which the OpenAPI document does not have."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return dict(inline(schema))


def event_contracts() -> list[tuple[str, type[DomainEvent]]]:
    """(owning service, contract) of every event in `shared/events/<service>.py`."""
    found: list[tuple[str, type[DomainEvent]]] = []
    for service in SERVICE_NAMES:
        try:
            module = importlib.import_module(f"shared.events.{service}")
        except ModuleNotFoundError:
            continue
        found += [
            (service, cls)
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, DomainEvent) and cls.__module__ == module.__name__
        ]
    return found


def _stored(event: type[DomainEvent]) -> type[Envelope]:
    """The envelope as stored in the log, its `type` and `payload` those of `event`."""
    name = event.__name__
    return create_model(
        f"{name}Envelope",
        __base__=Envelope,
        __doc__=f"A stored {name}: the envelope with its payload.",
        type=(Literal[name], ...),  # type: ignore[arg-type]
        payload=(event, ...),
    )


@cache
def asyncapi_document() -> dict[str, Any]:
    """AsyncAPI 3.0 of the event log: one channel and message per event type, generated by
    faststream from a broker that declares (never connects) one publisher per contract."""
    broker = NatsBroker(specification_url="nats://localhost:4222", logger=None)
    for service, event in event_contracts():
        broker.publisher(
            f"smart.{{kab}}.{{kec}}.{service}.{{aggregate}}.{{aggregate_id}}",
            title=event.__name__,
            description=inspect.cleandoc(event.__doc__ or event.__name__),
            headers={HEADER_TYPE: event.__name__, HEADER_SCHEMA_VERSION: str(event.event_version)},
            schema=_stored(event),
        )
    spec = AsyncAPI(
        broker,
        title="Jumat SMART events",
        version="1.0",
        description="The facts each service appends to the kabupaten stream SMART_<kab>.",
        schema_version="3.0.0",
    )
    return dict(spec.to_specification().to_jsonable())
