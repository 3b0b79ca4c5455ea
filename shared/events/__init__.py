"""Event contracts: the base class, the registry of types and the upcasters.

Each owning service publishes its contracts in `shared/events/<owner>.py`; consumers import
only those modules, never another service's code.
"""

from shared.events.base import (
    DomainEvent,
    UnknownEventType,
    event_class,
    register_upcaster,
    upcast,
)

__all__ = ["DomainEvent", "UnknownEventType", "event_class", "register_upcaster", "upcast"]
