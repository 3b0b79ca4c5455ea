"""Where hand-out evidence files are kept: the kabupaten's NATS object store, on disk, on
the same server as the log (its stream `OBJ_distribution_evidence_<kab>`, made by the admin
with the kabupaten's log; the service's credentials may write its objects, not its config)."""

from __future__ import annotations

from typing import Protocol

from nats.aio.client import Client as NATS
from nats.js.errors import NotFoundError, ObjectNotFoundError

from shared.events.distribution import evidence_bucket
from shared.log.kv import Bucket


def evidence_store(kab: str) -> Bucket:
    """The kabupaten's evidence files: an object store, on disk, made by the admin."""
    return Bucket(evidence_bucket(kab), objects=True)


class Files(Protocol):
    """Where evidence files are kept: by kabupaten and object name."""

    async def put(self, kab: str, name: str, data: bytes) -> None: ...

    async def get(self, kab: str, name: str) -> bytes | None: ...


class ObjectFiles:
    """The evidence files in NATS's object store (the same server as the log)."""

    def __init__(self, nc: NATS, replicas: int = 1) -> None:
        self.js = nc.jetstream()
        self.replicas = replicas

    async def put(self, kab: str, name: str, data: bytes) -> None:
        """Store it, unless it is there already (its name is its digest: never replaced)."""
        store = await evidence_store(kab).open_objects(self.js, self.replicas)
        try:
            await store.get_info(name)
        except (ObjectNotFoundError, NotFoundError):
            await store.put(name, data)

    async def get(self, kab: str, name: str) -> bytes | None:
        """The file's bytes (the object store checks them against its own digest)."""
        store = await evidence_store(kab).open_objects(self.js, self.replicas)
        try:
            return (await store.get(name)).data
        except (ObjectNotFoundError, NotFoundError):
            return None
