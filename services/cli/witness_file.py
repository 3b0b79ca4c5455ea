"""The witness file: append-only JSON lines of signed checkpoints, each fsynced, kept by
`smart witness` outside the system and read back by `smart verify --witness`."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from services.cli.context import CannotRun
from shared.audit.logdigest import KeptDigest
from shared.events.audit import LogCheckpointed
from shared.log.reader import StoredEvent

HEX64 = r"^[0-9a-f]{64}$"


class Witnessed(BaseModel):
    """One line of a witness file: a signed checkpoint as the log held it, and where."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kab: str = Field(pattern=r"^[0-9]{4}$")
    upto_seq: int = Field(ge=1)
    events: int = Field(ge=1)
    digest: str = Field(pattern=HEX64)
    public_key: str = Field(pattern=HEX64)
    signature: str = Field(pattern=r"^[0-9a-f]{128}$")
    seq: int = Field(ge=1, description="the checkpoint event's own position in the stream")
    hash: str = Field(pattern=HEX64, description="the checkpoint event's hash")
    recorded_at: AwareDatetime
    witnessed_at: AwareDatetime

    @classmethod
    def of(cls, kab: str, event: StoredEvent, cp: LogCheckpointed, now: datetime) -> Witnessed:
        envelope = event.envelope
        fields = cp.model_dump(include={"upto_seq", "events", "digest", "public_key", "signature"})
        return cls(
            kab=kab,
            seq=event.seq,
            hash=envelope.hash,
            recorded_at=envelope.recorded_at,
            witnessed_at=now,
            **fields,
        )

    @property
    def kept(self) -> KeptDigest:
        return KeptDigest(self.kab, self.upto_seq, self.digest)

    def checkpoint(self) -> LogCheckpointed:
        return LogCheckpointed.model_validate(
            self.model_dump(include={"upto_seq", "events", "digest", "public_key", "signature"})
        )


@dataclass
class WitnessFile:
    """The witnessed checkpoints of a file, per kabupaten in the order witnessed."""

    path: Path
    held: dict[str, list[Witnessed]] = field(default_factory=dict)
    lines: dict[tuple[str, int], int] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> WitnessFile:
        """The file as it is (none yet: nothing held); a line that is not a witnessed
        checkpoint is `CannotRun`, naming it."""
        file = cls(path)
        if not path.exists():
            return file
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = Witnessed.model_validate_json(line)
            except ValidationError as exc:
                raise CannotRun(
                    f"{path} line {number} is not a witnessed checkpoint: {exc}"
                ) from None
            file.held.setdefault(entry.kab, []).append(entry)
            file.lines[(entry.kab, entry.seq)] = number
        return file

    def kept(self) -> list[KeptDigest]:
        """Every witnessed digest, saying where it is kept (for `smart verify`)."""
        return [
            KeptDigest(
                e.kab,
                e.upto_seq,
                e.digest,
                f"witnessed in {self.path.name} line {self.lines[(e.kab, e.seq)]}, the"
                f" checkpoint at seq {e.seq} recorded {e.recorded_at.isoformat()}",
            )
            for entries in self.held.values()
            for e in entries
        ]

    def append(self, out: IO[str], entry: Witnessed) -> None:
        """One line, on the disk before this returns."""
        out.write(entry.model_dump_json() + "\n")
        out.flush()
        os.fsync(out.fileno())
        self.held.setdefault(entry.kab, []).append(entry)
        self.lines[(entry.kab, entry.seq)] = sum(len(v) for v in self.held.values())


@contextlib.contextmanager
def appending(path: Path) -> Iterator[IO[str]]:
    """The file open for appending, locked against a second witness on it."""
    new = not path.exists()
    with path.open("a", encoding="utf-8") as out:
        try:
            fcntl.flock(out.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CannotRun(f"another witness is appending to {path}") from None
        if new:
            directory = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        yield out
