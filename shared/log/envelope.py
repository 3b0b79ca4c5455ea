"""The envelope every stored event travels in, and its canonical, hash-chained bytes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, cast
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    create_model,
)
from uuid6 import uuid7

from shared.events.base import DomainEvent, contracts, upcast
from shared.log.canonical import GENESIS_HASH, SIGNATURE_KEY, canonical_bytes, chain_hash
from shared.log.signing import SIGNATURE_PATTERN
from shared.tenancy import AggregateRef

if TYPE_CHECKING:
    from shared.log.signing import ServiceKey

HEADER_TYPE = "Smart-Type"
HEADER_SCHEMA_VERSION = "Smart-Schema-Version"

_HASH = r"^[0-9a-f]{64}$"


class MalformedEvent(ValueError):
    """Stored bytes that are not a valid envelope, or a payload its contract refuses."""


class Metadata(BaseModel):
    """Who asked for a change and why: carried from the command into every event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    command_id: str = Field(min_length=1, max_length=200)
    correlation_id: str = Field(min_length=1, max_length=200)
    actor: str = Field(min_length=1, max_length=200)


class Head(BaseModel):
    """What a projection reads of an envelope besides the payload: the event's type and
    version, its tenant and its aggregate. Reading only these (and the payload) skips the
    chain and causation fields, which no read model uses: they are checked by `smart verify`,
    not by every projector (a third of the work of opening an event, `bench.replay`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    type: str = Field(min_length=1)
    schema_version: int = Field(ge=1)
    kabupaten: str = Field(pattern=r"^[0-9]{4}$")
    kecamatan: str = Field(pattern=r"^[0-9]{6}$")
    aggregate_type: str = Field(min_length=1)
    aggregate_id: str = Field(min_length=1)
    aggregate_version: int = Field(ge=1)


class Envelope(Head):
    """One event as stored: routing (its head), causation, payload, its place in the hash
    chain, and the signature of the service that wrote it (beside the hash, which does not
    cover it; none on events from before signatures: `shared.log.signing`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    command_id: str = Field(min_length=1)
    correlation_id: str = Field(min_length=1)
    actor: str = Field(min_length=1)
    payload: dict[str, Any]
    prev_hash: str = Field(pattern=_HASH)
    hash: str = Field(pattern=_HASH)
    signature: str | None = Field(default=None, pattern=SIGNATURE_PATTERN)

    def event(self) -> DomainEvent:
        """The payload as its current contract (upcast from older versions)."""
        try:
            return upcast(self.type, self.schema_version, self.payload)
        except (ValidationError, ValueError, LookupError) as exc:
            raise MalformedEvent(f"event {self.event_id} ({self.type}): {exc}") from exc


def _utc_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("event times must be timezone-aware")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def seal(
    ref: AggregateRef,
    version: int,
    event: DomainEvent,
    meta: Metadata,
    prev_hash: str,
    occurred_at: datetime,
    recorded_at: datetime,
    key: ServiceKey | None = None,
) -> tuple[Envelope, bytes]:
    """Build the envelope of a new event and the exact bytes to store, signed with `key`
    (its subject's service's) when given."""
    body: dict[str, Any] = {
        "event_id": str(uuid7()),
        "type": event.type_name(),
        "schema_version": event.event_version,
        "kabupaten": ref.tenant.kab,
        "kecamatan": ref.tenant.kec,
        "aggregate_type": ref.aggregate_type,
        "aggregate_id": ref.aggregate_id,
        "aggregate_version": version,
        "occurred_at": _utc_iso(occurred_at),
        "recorded_at": _utc_iso(recorded_at),
        "command_id": meta.command_id,
        "correlation_id": meta.correlation_id,
        "actor": meta.actor,
        "payload": event.model_dump(mode="json"),
        "prev_hash": prev_hash or GENESIS_HASH,
    }
    body["hash"] = chain_hash(body)
    if key is not None:
        body[SIGNATURE_KEY] = key.sign(ref.subject, body["hash"])
    data = canonical_bytes(body)
    return Envelope.model_validate(body), data


class _Current(Envelope):
    """An envelope read in one pass: its payload is already the current contract's model
    (built per registered event type, see `_OnePass`)."""

    def event(self) -> DomainEvent:
        return cast(DomainEvent, self.payload)


class _CurrentHead(Head):
    """A head read in one pass with its payload, as the current contract's model."""

    payload: Any

    def event(self) -> DomainEvent:
        return cast(DomainEvent, self.payload)


def _runtime(form: object) -> Any:
    """A typing form to subscript with values known only at run time."""
    return form


class _OnePass:
    """Envelope (or head) and payload validated together, straight from the JSON bytes, for
    events stored at their contract's current version: no intermediate payload dict, half
    the work of validating the envelope and then the payload. Rebuilt when contracts
    register."""

    def __init__(self, base: type[BaseModel] = _Current) -> None:
        self._base = base
        self._registered = -1
        self._adapter: TypeAdapter[Any] | None = None

    def adapter(self) -> TypeAdapter[Any] | None:
        registered = contracts()
        if len(registered) != self._registered:
            models = [
                create_model(
                    f"{self._base.__name__.strip('_')}{name}",
                    __base__=self._base,
                    type=(_runtime(Literal)[name], ...),
                    schema_version=(_runtime(Literal)[cls.event_version], ...),
                    payload=(cls, ...),
                )
                for name, cls in registered.items()
            ]
            self._adapter = None
            if len(models) == 1:  # a union of one is that model, of none an error
                self._adapter = TypeAdapter(models[0])
            elif models:
                tagged = _runtime(Annotated)[
                    _runtime(Union)[tuple(models)], Field(discriminator="type")
                ]
                self._adapter = TypeAdapter(tagged)
            self._registered = len(registered)
        return self._adapter


_ONE_PASS = _OnePass()
_HEAD_ONE_PASS = _OnePass(_CurrentHead)


def open_envelope(data: bytes) -> Envelope:
    """Parse stored bytes into an envelope; a malformed one is refused with the reason.
    An event at its contract's current version comes back with its payload validated too;
    anything else (an older version, an unknown type, an error) takes the envelope-first
    path, whose `event()` upcasts and names what is wrong."""
    adapter = _ONE_PASS.adapter()
    if adapter is not None:
        try:
            return cast(Envelope, adapter.validate_json(data))
        except ValidationError:
            pass
    try:
        return Envelope.model_validate_json(data)
    except ValidationError as exc:
        raise _malformed(exc) from exc


def _malformed(exc: ValidationError) -> MalformedEvent:
    first = exc.errors()[0]
    if first["type"] == "json_invalid":
        return MalformedEvent(f"not JSON: {first['msg']}")
    if not first["loc"]:
        return MalformedEvent(f"not an envelope: {first['msg']}")
    field = ".".join(str(p) for p in first["loc"])
    return MalformedEvent(f"envelope field {field}: {first['msg']}")


def open_head(data: bytes) -> tuple[Head, DomainEvent]:
    """The head and event of stored bytes, for projections. An event at its contract's
    current version is read in one pass; anything else (an older version, an error) is
    read head first, then upcast, or refused naming the field."""
    adapter = _HEAD_ONE_PASS.adapter()
    if adapter is not None:
        try:
            head = cast(_CurrentHead, adapter.validate_json(data))
        except ValidationError:
            pass
        else:
            return head, head.event()
    try:
        raw = _RawHead.model_validate_json(data)
    except ValidationError as exc:
        raise _malformed(exc) from exc
    try:
        event = upcast(raw.type, raw.schema_version, raw.payload)
    except (ValidationError, ValueError, LookupError) as exc:
        what = f"{raw.type} v{raw.schema_version} of {raw.aggregate_type} {raw.aggregate_id}"
        raise MalformedEvent(f"{what}: {exc}") from exc
    return raw, event


class _RawHead(Head):
    """A head with its payload as stored, for an event to upcast (or refuse)."""

    payload: dict[str, Any]
