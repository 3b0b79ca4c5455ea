"""The registry import: each line of the CSV registered on its own, as a job (shared/edge/jobs.py)
so that its RPC answers only once what it reports is committed, however long the file.

An ask that finds the job still at work is answered 202 with the lines done so far, and
the caller asks again with the same request. Another replica asked the same request starts
the job again: every line's ids come from the command id and the line number, so what
another replica committed already replays instead of being registered twice.
"""

from __future__ import annotations

import asyncio
import hashlib

from services.distribution.csvimport import (
    MAX_LINES,
    Candidate,
    Rejection,
    candidates,
    parse_csv,
    refused,
)
from services.distribution.deps import Deps
from services.distribution.handlers import desa_codes, new_id, register
from services.distribution.scope import require_rows_desa
from shared.contracts.distribution import Imported, ImportHouseholds
from shared.edge.jobs import Pending, Progress
from shared.edge.kit import Ctx, Written
from shared.errors import DomainError, InvalidInput
from shared.log.envelope import Metadata

CONCURRENCY = 8
"""Lines registered at once by one import."""


async def import_households(cmd: ImportHouseholds, ctx: Ctx[Deps]) -> Written[Imported] | Pending:
    """The import's answer once it is done; created (201) when at least one line was."""
    digest = hashlib.sha256(cmd.csv.encode()).hexdigest()
    key = (ctx.tenant.kab, ctx.tenant.kec, ctx.command_id, ctx.meta.actor, ctx.scope, digest)
    return await ctx.deps.imports.answer(key, lambda progress: run(cmd, ctx, progress))


async def run(cmd: ImportHouseholds, ctx: Ctx[Deps], progress: Progress) -> Written[Imported]:
    rows = parse_csv(cmd.csv)
    require_rows_desa(ctx, rows)
    if len(rows) > MAX_LINES:
        raise InvalidInput(
            "csv",
            f"Paling banyak {MAX_LINES} baris per berkas",
            f"At most {MAX_LINES} lines per file",
        )
    accepted, rejected = candidates(rows, desa_codes(ctx.setup), ctx.today)
    progress.total = len(accepted)
    limit = asyncio.Semaphore(CONCURRENCY)
    results = await asyncio.gather(*(_line(ctx, c, limit, progress) for c in accepted))
    positions = [r for r in results if isinstance(r, int)]
    rejected += [r for r in results if isinstance(r, Rejection)]
    position = max(positions, default=await ctx.rt.store.last_seq(ctx.tenant.kab))
    answer = Imported(
        accepted=len(positions),
        rejected=[r.answer() for r in sorted(rejected, key=lambda r: r.line)],
    )
    return Written(answer, position, created=bool(positions))


async def _line(
    ctx: Ctx[Deps], candidate: Candidate, limit: asyncio.Semaphore, progress: Progress
) -> int | Rejection:
    meta = Metadata(
        command_id=new_id(f"{ctx.command_id}:import:{candidate.line}"),
        correlation_id=ctx.meta.correlation_id,
        actor=ctx.meta.actor,
    )
    async with limit:
        try:
            _, out = await register(ctx, meta, candidate.cmd)
        except DomainError as exc:
            return refused(candidate.line, exc)
        finally:
            progress.advance()
    return out.position
