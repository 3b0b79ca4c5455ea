"""An aid list's import: a programme's beneficiary NIKs as of a date, from a named source
document; each household of the kecamatan holding one of them holds the programme from that
date on (an aid change with the source in the log). Runs as a job like the registry import.

A NIK is matched through the claims index (the HMAC under the current lookup key), then
checked against the household's own sealed record: the index may be behind, the record is
not. A NIK no household holds is counted and dropped: it is never kept, not even in a log
line or a rejection's reason.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

from nats.js.errors import KeyNotFoundError

from services.distribution.aggregates import HOUSEHOLD
from services.distribution.claims import Claim, Held
from services.distribution.csvimport import MAX_LINES, Rejection, Row, parse_csv
from services.distribution.deps import Deps
from services.distribution.domain import decide_add_aid
from services.distribution.handlers import new_id
from services.distribution.personal import unseal
from shared.contracts.distribution import AidImported, ImportAid
from shared.edge.jobs import Pending, Progress
from shared.edge.kit import Ctx, Written
from shared.errors import InvalidInput
from shared.events.distribution import household_ref
from shared.log.envelope import Metadata

NIK = re.compile(r"[0-9]{16}")
LOOKUPS_AT_ONCE = 256
CHANGES_AT_ONCE = 8


async def import_aid(cmd: ImportAid, ctx: Ctx[Deps]) -> Written[AidImported] | Pending:
    """The import's answer once it is done; created (201) when a household's aid changed."""
    whole = f"{cmd.program}|{cmd.as_of}|{cmd.source}|{cmd.csv}"
    digest = hashlib.sha256(whole.encode()).hexdigest()
    key = (ctx.tenant.kab, ctx.tenant.kec, ctx.command_id, ctx.meta.actor, ctx.scope, digest)
    return await ctx.deps.aid_imports.answer(key, lambda progress: run(cmd, ctx, progress))


@dataclass(frozen=True)
class Listed:
    """The list's valid NIKs (each once, with its first line) and its rejected lines."""

    niks: dict[str, int]
    rejected: list[Rejection]


def listed(rows: list[Row | Rejection]) -> Listed:
    niks: dict[str, int] = {}
    rejected: list[Rejection] = []
    for row in rows:
        if isinstance(row, Rejection):
            rejected.append(row)
            continue
        nik = str(row.values.get("nik", ""))
        if not NIK.fullmatch(nik):
            why = "NIK harus 16 angka / The NIK must be 16 digits"
            rejected.append(Rejection(row.line, "nik", why))
        elif nik in niks:
            earlier = niks[nik]
            why = f"Duplikat baris {earlier} / Duplicate of line {earlier} (nik)"
            rejected.append(Rejection(row.line, "nik", why))
        else:
            niks[nik] = row.line
    return Listed(niks, rejected)


async def run(cmd: ImportAid, ctx: Ctx[Deps], progress: Progress) -> Written[AidImported]:
    rows = parse_csv(cmd.csv)
    if len(rows) > MAX_LINES:
        raise InvalidInput(
            "csv",
            f"Paling banyak {MAX_LINES} baris per berkas",
            f"At most {MAX_LINES} lines per file",
        )
    found = listed(rows)
    held = await holders(ctx, found.niks)
    progress.total = len(held)
    matched, positions = await _changes(ctx, cmd, held, progress)
    position = max(positions, default=await ctx.rt.store.last_seq(ctx.tenant.kab))
    answer = AidImported(
        matched=matched,
        unmatched=len(found.niks) - matched,
        rejected=[r.answer() for r in sorted(found.rejected, key=lambda r: r.line)],
    )
    return Written(answer, position, created=bool(positions))


async def holders(ctx: Ctx[Deps], niks: dict[str, int]) -> dict[str, set[str]]:
    """household_id -> the list's NIKs it is indexed under, households of this kecamatan
    (an operator's: of its desa, judged when the change is decided)."""
    found: dict[str, set[str]] = defaultdict(set)
    async with ctx.deps.claims.holding(ctx.tenant.kab) as held:
        ordered = list(niks)
        for i in range(0, len(ordered), LOOKUPS_AT_ONCE):
            chunk = ordered[i : i + LOOKUPS_AT_ONCE]
            claims = await asyncio.gather(*(_claim(held, n) for n in chunk))
            for nik, claim in zip(chunk, claims, strict=True):
                if claim is not None and claim.kec == ctx.tenant.kec:
                    found[claim.household_id].add(nik)
    return found


async def _claim(held: Held, nik: str) -> Claim | None:
    try:
        entry = await held.kv.get(f"{held.lookup.epoch}.nik.{held.lookup.hmac('nik', nik)}")
    except KeyNotFoundError:
        return None
    return Claim.decode(entry.value)


async def _changes(
    ctx: Ctx[Deps], cmd: ImportAid, held: dict[str, set[str]], progress: Progress
) -> tuple[int, list[int]]:
    """The NIKs matched, and the positions of the changes appended."""
    limit = asyncio.Semaphore(CHANGES_AT_ONCE)
    results = await asyncio.gather(
        *(_change(ctx, cmd, hid, niks, limit, progress) for hid, niks in sorted(held.items()))
    )
    matched = sum(n for n, _ in results)
    return matched, [p for _, p in results if p is not None]


async def _change(
    ctx: Ctx[Deps],
    cmd: ImportAid,
    household_id: str,
    niks: set[str],
    limit: asyncio.Semaphore,
    progress: Progress,
) -> tuple[int, int | None]:
    """(NIKs of the list the household really holds, the position of its change if any)."""
    ref = household_ref(ctx.tenant, household_id)
    async with limit:
        try:
            state = (await ctx.rt.runner.load(HOUSEHOLD, ref)).state
            key = await ctx.deps.keys.existing(household_id)
            if state is None or state.forgotten or key is None:
                return 0, None
            if ctx.scope is not None and not ctx.scope.covers_desa(state.desa):
                return 0, None
            holds = niks & set(unseal(key, household_id, state.personal).niks())
            if not holds:
                return 0, None
            meta = Metadata(
                command_id=new_id(f"{ctx.command_id}:aid:{household_id}"),
                correlation_id=ctx.meta.correlation_id,
                actor=ctx.meta.actor,
            )
            out = await ctx.rt.runner.execute(
                HOUSEHOLD,
                ref,
                meta,
                lambda s: decide_add_aid(s, household_id, cmd.program, cmd.as_of, cmd.source),
            )
        finally:
            progress.advance()
    return len(holds), out.position if out.events else None
