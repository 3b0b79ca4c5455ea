"""JetStream buckets (key-value, or object stores for files): opened if they exist, created
with their settings if not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nats.js.api import StorageType
from nats.js.client import JetStreamContext
from nats.js.errors import BucketNotFoundError
from nats.js.kv import KeyValue
from nats.js.object_store import ObjectStore


async def open_bucket(js: JetStreamContext, name: str, **config: Any) -> KeyValue:
    """The bucket `name`; created with `config` (ttl, history, replicas...) the first time."""
    try:
        return await js.key_value(name)
    except BucketNotFoundError:
        return await js.create_key_value(bucket=name, **config)


async def open_object_store(js: JetStreamContext, name: str, **config: Any) -> ObjectStore:
    """The object store `name`; created with `config` the first time."""
    try:
        return await js.object_store(name)
    except BucketNotFoundError:
        return await js.create_object_store(bucket=name, **config)


@dataclass(frozen=True)
class Bucket:
    """A bucket a service keeps, as it is created: by the admin when the service's own
    credentials may not create streams (a bucket is one), else on first use. `objects`: an
    object store (files in chunks, stream `OBJ_<name>`) instead of a key-value bucket."""

    name: str
    history: int = 1
    storage: StorageType = StorageType.FILE
    objects: bool = False

    async def open(self, js: JetStreamContext, replicas: int = 1) -> KeyValue:
        return await open_bucket(
            js, self.name, history=self.history, storage=self.storage, replicas=replicas
        )

    async def open_objects(self, js: JetStreamContext, replicas: int = 1) -> ObjectStore:
        return await open_object_store(js, self.name, storage=self.storage, replicas=replicas)

    async def provision(self, js: JetStreamContext, replicas: int = 1) -> None:
        """Create it if it does not exist yet, as what it is."""
        if self.objects:
            await self.open_objects(js, replicas)
        else:
            await self.open(js, replicas)
