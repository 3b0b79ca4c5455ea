"""JetStream key-value buckets: opened if they exist, created with their settings if not."""

from __future__ import annotations

from typing import Any

from nats.js.client import JetStreamContext
from nats.js.errors import BucketNotFoundError
from nats.js.kv import KeyValue


async def open_bucket(js: JetStreamContext, name: str, **config: Any) -> KeyValue:
    """The bucket `name`; created with `config` (ttl, history, replicas...) the first time."""
    try:
        return await js.key_value(name)
    except BucketNotFoundError:
        return await js.create_key_value(bucket=name, **config)
