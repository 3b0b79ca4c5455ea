"""JetStream key-value buckets: opened if they exist, created with their settings if not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nats.js.api import StorageType
from nats.js.client import JetStreamContext
from nats.js.errors import BucketNotFoundError
from nats.js.kv import KeyValue


async def open_bucket(js: JetStreamContext, name: str, **config: Any) -> KeyValue:
    """The bucket `name`; created with `config` (ttl, history, replicas...) the first time."""
    try:
        return await js.key_value(name)
    except BucketNotFoundError:
        return await js.create_key_value(bucket=name, **config)


@dataclass(frozen=True)
class Bucket:
    """A bucket a service keeps, as it is created: by the admin when the service's own
    credentials may not create streams (a bucket is one), else on first use."""

    name: str
    history: int = 1
    storage: StorageType = StorageType.FILE

    async def open(self, js: JetStreamContext, replicas: int = 1) -> KeyValue:
        return await open_bucket(
            js, self.name, history=self.history, storage=self.storage, replicas=replicas
        )
