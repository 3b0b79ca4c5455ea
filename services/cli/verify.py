"""`smart verify`: the logs' chains, signatures and checkpoints, digests kept outside the
system, then every read model rebuilt from the log and compared, and the dead letters."""

from __future__ import annotations

from collections.abc import Sequence

from services.cli.context import CannotRun
from services.cli.ops import connect, kecamatan_arg, show_progress, tenant_tables, workers_for
from shared.audit.logdigest import KeptDigest
from shared.audit.verdict import (
    Verdict,
    verify_all_read_models,
    verify_dead_letters,
    verify_kecamatan_log,
    verify_streams,
)
from shared.config import Settings
from shared.tenancy import Tenant, stream_name, undot


async def verify(
    settings: Settings,
    services: list[str] | None,
    kabupaten: list[str] | None = None,
    kept: Sequence[KeptDigest] = (),
    kec: str | None = None,
    workers: int = 1,
    witnessed: Sequence[KeptDigest] = (),
) -> int:
    """Chains, gaps and signed checkpoints of every stream, digests kept outside (`kept`,
    given by hand; `witnessed`, a witness file's), then every read model and the dead
    letters; of some kabupaten only when given (or when SMART_KABUPATEN limits this
    process: the schemas may hold others' rows too). With a kecamatan: its aggregates'
    chains, its stream's removed sequences, its read-model rows and dead letters."""
    kabs = kabupaten or settings.served_kabupaten()
    tenant = _kecamatan(kec, kabs, [*kept, *witnessed]) if kec else None
    kept = [*_in_scope(kept, kabs), *(k for k in witnessed if not kabs or k.kab in kabs)]
    bad = 0
    async with connect(settings) as ops:
        readsides = ops.readsides(services)
        for readside in readsides:
            await readside.migrate()
            if kabs or tenant:
                async with readside.pool.acquire() as conn:
                    await tenant_tables(conn, readside)
        if tenant is not None:
            if not await ops.store.has_stream(tenant.kab):
                raise CannotRun(f"no log for kabupaten {tenant.kab}: nothing to verify")
            bad += _report(await verify_kecamatan_log(ops.store, tenant))
        else:
            logs = await ops.kabupaten()
            bad += sum(_report(v) for v in _logs_gone(kept, logs))
            gone = {k.kab for k in kept} - set(logs)
            if missing := sorted(set(kabupaten or []) - set(logs) - gone):
                raise CannotRun(f"no log for kabupaten {', '.join(missing)}: nothing to verify")
            async for verdict in verify_streams(
                ops.store,
                [kab for kab in logs if not kabs or kab in kabs],
                secret=settings.secret_key.get_secret_value() or None,
                kept=kept,
                processes=workers,
                nats_servers=settings.nats_servers(),
            ):
                bad += _report(verdict)
        scopes: list[Tenant | str | None] = [tenant] if tenant else [*kabs] if kabs else [None]
        for scope in scopes:
            print("rebuilding the read models from the log to compare them with the live ones")
            verdicts = await verify_all_read_models(
                readsides,
                scope,
                progress=show_progress,
                workers=workers_for(settings, services, workers),
            )
            print()
            for verdict in verdicts:
                bad += _report(verdict)
        kec_only = tenant.kec if tenant else None
        bad += _report(await verify_dead_letters(readsides, kabs, kec_only))
    print("VERIFIED: no discrepancy" if not bad else f"FAILED: {bad} check(s) found discrepancies")
    return 1 if bad else 0


def _in_scope(kept: Sequence[KeptDigest], kabs: list[str] | None) -> list[KeptDigest]:
    """Digests given by hand, each of a kabupaten this verify covers."""
    for digest in kept:
        if kabs and digest.kab not in kabs:
            raise CannotRun(
                f"--digest {digest}: kabupaten {digest.kab} is not among those verified"
                f" ({', '.join(kabs)}); add --kab {digest.kab}"
            )
    return list(kept)


def _logs_gone(kept: Sequence[KeptDigest], logs: list[str]) -> list[Verdict]:
    """A kabupaten whose digest was kept outside but whose log is no longer there."""
    gone: dict[str, list[KeptDigest]] = {}
    for digest in kept:
        if digest.kab not in logs:
            gone.setdefault(digest.kab, []).append(digest)
    return [
        Verdict(
            f"log {stream_name(kab)}",
            0,
            [f"the stream is gone, but {len(d)} kept digest(s) cover it, the first {d[0].named}"],
        )
        for kab, d in sorted(gone.items())
    ]


def _kecamatan(kec: str, kabupaten: list[str] | None, kept: Sequence[KeptDigest]) -> Tenant:
    kec = undot(kec)
    tenant = kecamatan_arg(kec)
    if kabupaten and tenant.kab not in kabupaten:
        raise CannotRun(f"--kec {kec} is not in kabupaten {', '.join(kabupaten)}")
    if kept:
        raise CannotRun(
            "--digest, --witness: a kept digest covers the whole kabupaten's log; verify it"
            f" with --kab {tenant.kab}, without --kec"
        )
    return tenant


def _report(verdict: Verdict) -> int:
    print(f"{'OK  ' if verdict.ok else 'FAIL'} {verdict.scope} ({verdict.checked} checked)")
    for problem in verdict.problems:
        print(f"     - {problem}")
    for note in verdict.notes:
        print(f"     note: {note}")
    for match in verdict.matches:
        print(f"     matches: {match}")
    return 0 if verdict.ok else 1
