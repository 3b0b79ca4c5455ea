"""Where a service process spends its time: py-spy's raw stacks folded into shares of the
write path's rooms (`python -m bench.profile FILE...` prints them)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOMS = (
    ("envelope: seal, hash, sign", ("seal (shared/log/envelope.py", "shared/log/signing.py")),
    ("append: publish, await the ack", ("EventStore._publish_",)),
    ("command runner: load, decide, fold", ("CommandRunner.",)),
    ("wait_for (read-your-writes)", ("ReadSide.wait_for", "Runtime.wait_for")),
    ("facts", ("Facts.",)),
    ("donor vault", ("DonorVault.",)),
    ("fund query (SQL)", ("Queries.",)),
    ("projector: fetch", ("Projector._next_batch",)),
    ("projector: apply + checkpoint (SQL)", ("Projector._commit", "Applier.")),
    ("handler: rules, contracts", ("receive_donation (", "fund (services")),
    ("edge: parse, reply", ("_edge.<locals>.endpoint",)),
    ("faststream: decode, middlewares, DI, reply", ("faststream/", "fast_depends/")),
    ("nats-py: socket reads, protocol", ("nats/",)),
    ("asyncpg: protocol", ("asyncpg/",)),
    ("event loop, sockets", ("asyncio/", "selectors.py")),
)


def room_of(frames: list[str]) -> str:
    for room, marks in ROOMS:
        if any(mark in frame for frame in frames for mark in marks):
            return room
    return "other"


def shares(path: Path) -> dict[str, Any]:
    """Each room's share of the process's samples (py-spy `--format raw`), in percent."""
    rooms: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n, frames = int(count), stack.split(";")
        total += n
        rooms[room_of(frames)] += n
        leaves[frames[-1].split(" (")[0]] += n

    def pct(n: int) -> float:
        return round(100.0 * n / total, 1) if total else 0.0

    return {
        "file": str(path),
        "samples": total,
        "rooms_pct": {room: pct(n) for room, n in rooms.most_common()},
        "hottest_leaves_pct": {leaf: pct(n) for leaf, n in leaves.most_common(12)},
    }


if __name__ == "__main__":
    print(json.dumps([shares(Path(p)) for p in sys.argv[1:]], indent=2))
