"""Benchmarks: figures beside the raw nats-py ceilings measured in the same run."""
