"""Hand-out evidence: files (a photo, a signed scan of the berita acara) kept in the
kabupaten's NATS object store (files.py), outside the log; the log keeps their SHA-256.

The gateway reads the multipart upload and sends its bytes in base64 inside the command
(the servers run with `max_payload: 8MB`, so a 5 MiB file travels in one request); this
service judges it (type by its first bytes, size), stores it under a name made of its
package and its SHA-256 (the same file twice is one object; nothing is ever replaced), and
only then appends `PackageEvidenceAttached`. A file stored for an append that was then
refused stays unreferenced, named by its digest: attaching it again reuses it."""

from __future__ import annotations

import base64
import binascii
import hashlib

from services.distribution.aggregates import LEDGER
from services.distribution.deps import Deps
from services.distribution.files import Files
from services.distribution.handlers import new_id
from services.distribution.ledger import EvidenceFile, Ledger, decide_attach_evidence, sniffed
from services.distribution.scope import path_id
from shared.contracts.distribution import EVIDENCE_MAX_BYTES, AttachEvidence, EvidenceRef
from shared.edge.kit import Ctx, Written
from shared.errors import InvalidInput, NotFound
from shared.events.base import DomainEvent
from shared.events.distribution import ledger_ref


def decoded(cmd: AttachEvidence) -> bytes:
    """The upload's bytes; 422 `file` when it is no base64."""
    try:
        return base64.b64decode(cmd.file, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("file", "Berkas tidak dapat dibaca", "The file cannot be read") from None


def object_name(kec: str, package_id: str, sha256: str) -> str:
    return f"{kec}/{package_id}/{sha256}"


def files_of(ctx: Ctx[Deps]) -> Files:
    if ctx.deps.files is None:
        raise RuntimeError("the distribution service runs with its evidence store")
    return ctx.deps.files


async def attach_evidence(cmd: AttachEvidence, ctx: Ctx[Deps]) -> Written[EvidenceRef]:
    """Judge the file, keep it, then record its digest; the same file again answers the
    evidence it already is (200)."""
    package_id = path_id(ctx, "package")
    data = decoded(cmd)
    content_type = sniffed(data, EVIDENCE_MAX_BYTES)
    sha256 = hashlib.sha256(data).hexdigest()
    file = EvidenceFile(
        evidence_id=new_id(ctx.command_id),
        package_id=package_id,
        sha256=sha256,
        size=len(data),
        content_type=content_type,
        object_name=object_name(ctx.tenant.kec, package_id, sha256),
    )
    await files_of(ctx).put(ctx.tenant.kab, file.object_name, data)

    def decide(state: Ledger) -> list[DomainEvent]:
        ctx.require_desa(state.packages.get(package_id))
        return decide_attach_evidence(state, file)

    out = await ctx.rt.runner.execute(LEDGER, ledger_ref(ctx.tenant), ctx.meta, decide)
    evidence_id = out.state.evidence[package_id][sha256]
    return Written(
        EvidenceRef(evidence_id=evidence_id, sha256=sha256), out.position, bool(out.events)
    )


async def known_package(ctx: Ctx[Deps]) -> None:
    """The package of the path, of the caller's desa: 404 (403 for an operator outside
    its desa) before the file is read."""
    package_id = path_id(ctx, "package")
    ref = ledger_ref(ctx.tenant)
    ledger = (await ctx.rt.runner.known(LEDGER, ref, lambda s: package_id in s.packages)).state
    ctx.require_desa(ledger.packages.get(package_id))
    if package_id not in ledger.packages:
        raise NotFound("package", package_id)
