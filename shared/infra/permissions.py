"""What each role may publish and subscribe to on NATS, as the code really uses it.

Every service publishes its own events (`smart.<kab>.<kec>.<service>.>`) and its signing
key's registration, answers its own RPC and health subjects, reads the logs (direct gets,
ordered consumers) and runs its own durable consumers. The gateway only sends requests
(RPC, health, reads of the log's head) and keeps its own buckets; the audit signer appends
checkpoints only; the auditor only reads; the admin alone creates, updates or deletes
streams. Each role's replies arrive at `_INBOX.<role>.>`, where only it may subscribe.

`kab` None: every kabupaten on one server (the embedded one, a single account, where the
gateway's buckets are hidden from everyone else); a code: one kabupaten's own account."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from shared.events.audit import AGGREGATE, KEYS_AGGREGATE, REFUSALS_AGGREGATE
from shared.events.audit import SERVICE as AUDIT_SERVICE
from shared.tenancy import stream_name

ADMIN, GATEWAY, AUDIT, AUDITOR = "admin", "gateway", "audit", "auditor"
GATEWAY_BUCKETS = (
    "SMART_IDEMPOTENCY",
    "SMART_USERS",
    "SMART_SESSIONS_REVOKED",
    "SMART_SIGNIN_FAILURES",
)


@dataclass(frozen=True)
class ServiceRole:
    """A service as its credentials see it: its name, its durable consumers
    (`<service>__<projection>`) and the buckets it keeps per kabupaten."""

    name: str
    durables: tuple[str, ...] = ()
    buckets: Callable[[str], Sequence[str]] = field(default=lambda _kab: (), compare=False)
    objects: Callable[[str], Sequence[str]] = field(default=lambda _kab: (), compare=False)
    """Its object stores per kabupaten (files kept in chunks, e.g. hand-out evidence)."""

    def bucket_tokens(self, kab: str | None) -> list[str]:
        """Its buckets of `kab`, or `*` for all of them on a shared server."""
        return _tokens(self.buckets(kab or "0000"), kab)

    def object_tokens(self, kab: str | None) -> list[str]:
        """Its object stores of `kab`, or `*` for all of them on a shared server."""
        return _tokens(self.objects(kab or "0000"), kab)


def _tokens(names: Sequence[str], kab: str | None) -> list[str]:
    return list(names) if kab else (["*"] if names else [])


@dataclass(frozen=True)
class Permissions:
    publish: tuple[str, ...]
    subscribe: tuple[str, ...]
    deny: tuple[str, ...] = ()
    """Publish subjects refused although an allowed pattern covers them."""
    responses: bool = False
    """May answer a request it received (once, on the requester's reply subject)."""

    def conf(self) -> str:
        publish: dict[str, list[str]] = {"allow": list(self.publish)}
        if self.deny:
            publish["deny"] = list(self.deny)
        doc: dict[str, object] = {"publish": publish, "subscribe": {"allow": list(self.subscribe)}}
        if self.responses:
            doc["allow_responses"] = True
        return json.dumps(doc)


def reading(streams: Sequence[str], consumers: bool = True) -> list[str]:
    """The JetStream API of reading `streams`: info, message gets, direct gets and, with
    `consumers`, ordered consumers (created without a name, deleted when done, flow
    control). NATS cannot tell a create without a name from one naming another's durable:
    such a role may also reconfigure a durable of those streams (see deploy/README.md)."""
    api = ["$JS.API.INFO", "$JS.API.STREAM.NAMES", "$JS.API.STREAM.LIST"]
    for s in streams:
        api += [
            f"$JS.API.STREAM.INFO.{s}",
            f"$JS.API.STREAM.MSG.GET.{s}",
            f"$JS.API.DIRECT.GET.{s}",
            f"$JS.API.DIRECT.GET.{s}.>",
        ]
        if consumers:
            api += [
                f"$JS.API.CONSUMER.CREATE.{s}",
                f"$JS.API.CONSUMER.INFO.{s}.*",
                f"$JS.API.CONSUMER.DELETE.{s}.*",
                f"$JS.FC.{s}.>",
            ]
    return api


def hidden(buckets: Sequence[str] = GATEWAY_BUCKETS) -> list[str]:
    """Every subject that would read or write these buckets (on a shared server)."""
    denied: list[str] = []
    for bucket in buckets:
        s = f"KV_{bucket}"
        denied += [f"$JS.API.*.*.{s}", f"$JS.API.*.*.{s}.>", f"$JS.API.*.*.*.{s}"]
        denied += [f"$JS.API.*.*.*.{s}.>", f"$KV.{bucket}.>"]
    return denied


def _log(kab: str | None) -> tuple[str, str]:
    """(the kabupaten token of log subjects, its stream's token in API subjects)."""
    return (kab, stream_name(kab)) if kab else ("*", "*")


def service_permissions(role: ServiceRole, kab: str | None = None) -> Permissions:
    k, stream = _log(kab)
    buckets, objects = role.bucket_tokens(kab), role.object_tokens(kab)
    own_streams = [f"KV_{b}" for b in buckets] if kab else []
    own_streams += [f"OBJ_{b}" for b in objects] if kab else []
    publish = [f"smart.{k}.*.{role.name}.>", _key_registration(k, role.name)]
    publish += [f"$KV.{b}.>" for b in buckets]
    publish += [f"$O.{b}.>" for b in objects]
    publish += reading([stream, *own_streams])
    for durable in role.durables:
        publish += [
            f"$JS.API.CONSUMER.DURABLE.CREATE.{stream}.{durable}",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}",
            f"$JS.ACK.{stream}.{durable}.>",
        ]
    subscribe = [f"smartrpc.{k}.{role.name}.>", f"smartops.{role.name}.>", _inbox(role.name)]
    return Permissions(tuple(publish), tuple(subscribe), _deny(kab), responses=True)


def gateway_permissions(kab: str | None = None) -> Permissions:
    """Requests only: RPC and health, the log's head and pages by direct get; its own
    buckets, which it may also follow (ordered consumers on them, none on the log)."""
    k, stream = _log(kab)
    publish = [f"smartrpc.{k}.*.*", "smartops.*.health"]
    publish += [f"$KV.{b}.>" for b in GATEWAY_BUCKETS]
    publish += reading([stream], consumers=False)
    publish += reading([f"KV_{b}" for b in GATEWAY_BUCKETS])  # its own: followed too
    return Permissions(tuple(dict.fromkeys(publish)), (_inbox(GATEWAY),))


def audit_permissions(kab: str | None = None) -> Permissions:
    """The signer: reads the log, appends its checkpoints and refusals to sign (under
    `smart.<kab>.<kab>00.audit`) and registers its own key; never another's key."""
    k, stream = _log(kab)
    audit = f"smart.{k}.*.{AUDIT_SERVICE}"
    publish = [f"{audit}.{AGGREGATE}.*", f"{audit}.{REFUSALS_AGGREGATE}.*"]
    publish += [_key_registration(k, AUDIT), *reading([stream])]
    return Permissions(tuple(publish), (_inbox(AUDIT),), _deny(kab))


def auditor_permissions(kab: str | None = None) -> Permissions:
    """Reads the log; writes nothing, answers nothing."""
    _, stream = _log(kab)
    return Permissions(tuple(reading([stream])), (_inbox(AUDITOR),), _deny(kab))


def permissions_of(
    role: str, services: Sequence[ServiceRole], kab: str | None = None
) -> Permissions | None:
    """A role's permissions; None (everything) for the admin."""
    if role == ADMIN:
        return None
    if role == GATEWAY:
        return gateway_permissions(kab)
    if role == AUDIT:
        return audit_permissions(kab)
    if role == AUDITOR:
        return auditor_permissions(kab)
    for service in services:
        if service.name == role:
            return service_permissions(service, kab)
    raise ValueError(f"no such role: {role}")


def _key_registration(k: str, service: str) -> str:
    """`shared.events.audit.key_ref`: a service's key, kabupaten-wide (`<kab>00`)."""
    return f"smart.{k}.*.{AUDIT_SERVICE}.{KEYS_AGGREGATE}.{service}"


def _deny(kab: str | None) -> tuple[str, ...]:
    return () if kab else tuple(hidden())


def _inbox(role: str) -> str:
    return f"_INBOX.{role}.>"
