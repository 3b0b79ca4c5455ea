"""The base of every event contract, its type registry and the upcaster chain."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, PlainSerializer, PlainValidator, WithJsonSchema

from shared.strict import STORED

if TYPE_CHECKING:
    from shared.tenancy import AggregateRef

JsonDict = dict[str, Any]
Upcaster = Callable[[JsonDict], JsonDict]

_TYPES: dict[str, type[DomainEvent]] = {}
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


SEALED_PATTERN = r"^v1:[A-Za-z0-9+/]+=*$"
_SEALED = re.compile(SEALED_PATTERN)


class Clear(str):
    """Personal text in clear, only in memory: `decide()` marks a personal field with it and
    the command runner seals it with the subject's key right before the append. It prints
    as `<personal>` and an event still holding one cannot be serialised, so it never
    reaches the log, a log line or a read model unsealed."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Clear(<personal>)"

    def __str__(self) -> str:
        return "<personal>"

    def __format__(self, spec: str) -> str:
        return "<personal>"


def _sealed_or_clear(value: object) -> str:
    if isinstance(value, Clear):
        return value
    if isinstance(value, str) and _SEALED.match(value):
        return value
    raise ValueError("expected a sealed value (v1:...) or personal text marked Clear")


def _sealed_only(value: str) -> str:
    if isinstance(value, Clear):
        raise TypeError("personal data must be sealed before an event is stored")
    return value


Sealed = Annotated[
    str,
    PlainValidator(_sealed_or_clear),
    PlainSerializer(_sealed_only),
    WithJsonSchema({"type": "string", "pattern": SEALED_PATTERN}),
]
"""A personal field: `v1:` AES-GCM text under the subject's data key once stored."""


class UnknownEventType(LookupError):
    """An envelope names an event type no contract module has registered."""


class DomainEvent(BaseModel):
    """A fact, past tense. Subclasses are registered under their class name.

    `event_version` is the schema version of the payload; an older stored version is
    brought up to this one by the registered upcasters before validation.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__name__
        existing = _TYPES.get(name)
        if existing is not None and existing.__module__ != cls.__module__:
            raise TypeError(f"event type {name} is already defined in {existing.__module__}")
        _TYPES[name] = cls

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__

    def sealing_key(self, ref: AggregateRef) -> str:
        """The id of the data key that seals this event's `Sealed` fields."""
        raise NotImplementedError(f"{self.type_name()} has no personal fields to seal")

    def sealing_context(self, ref: AggregateRef, field: str) -> str:
        """What a sealed field is bound to (AES-GCM associated data)."""
        return self.sealing_key(ref)

    def forgets_key(self, ref: AggregateRef) -> str | None:
        """The data key this event destroys once it is stored (a subject forgotten)."""
        return None


def contracts() -> Mapping[str, type[DomainEvent]]:
    """Every registered event contract by type name (a read-only live view: no copy, it is
    asked once per event read)."""
    return MappingProxyType(_TYPES)


def event_class(type_name: str) -> type[DomainEvent]:
    try:
        return _TYPES[type_name]
    except KeyError:
        raise UnknownEventType(f"no event contract registered for type {type_name!r}") from None


def register_upcaster(type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a function mapping a payload of `from_version` to `from_version + 1`."""

    def decorate(fn: Upcaster) -> Upcaster:
        key = (type_name, from_version)
        if key in _UPCASTERS:
            raise ValueError(f"upcaster for {type_name} v{from_version} already registered")
        _UPCASTERS[key] = fn
        return fn

    return decorate


def upcast(type_name: str, version: int, payload: JsonDict) -> DomainEvent:
    """Bring a stored payload to the current contract and validate it (as stored: its text
    was judged when the event was made, shared/strict.py)."""
    cls = event_class(type_name)
    if version > cls.event_version:
        raise ValueError(f"{type_name} v{version} is newer than this code's v{cls.event_version}")
    while version < cls.event_version:
        step = _UPCASTERS.get((type_name, version))
        if step is None:
            raise ValueError(f"no upcaster for {type_name} from v{version}")
        payload = step(payload)
        version += 1
    return cls.model_validate(payload, context=STORED)
