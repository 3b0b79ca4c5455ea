"""`smart`: run, inspect and audit a Jumat SMART deployment. Exit 0 ok, 1 discrepancy, 2 error."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import nats.errors

from services.cli import ops, verify
from services.cli.context import CannotRun, secret_settings, settings_for
from services.cli.provision import add_provision_parser, provision
from services.cli.up import run_one, up
from services.cli.witness import add_witness_options, witness, witness_settings
from services.cli.witness_file import WitnessFile
from shared.audit.logdigest import FORM, KeptDigest
from shared.config import Settings
from shared.log.reader import LogUnavailable

ROLES = ("admin", "camat", "bendahara", "operator", "auditor")
"""The values of `services.gateway.auth.Role`, spelled out so `smart --help` does not load the
gateway."""


def _add_up(sub: Any) -> None:
    p = sub.add_parser("up", help="start the whole system on this machine")
    p.add_argument("--data-dir", default=".smart")
    p.add_argument("--http-port", type=int, default=8080)
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address the dashboard listens on: 127.0.0.1 (this machine only, the default) or "
        "0.0.0.0 (also the office network, for operators on their phones)",
    )
    p.add_argument("--demo", action="store_true", help="load the Kawedanan 2023 scenario")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smart", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_up(sub)
    p = sub.add_parser("run", help="run one service against SMART_NATS_URL/SMART_DATABASE_URL")
    p.add_argument("service")
    add_provision_parser(sub)
    for name, text in (
        ("status", "streams, projectors, dead letters"),
        ("replay", "rebuild read models from the log, then switch"),
        ("verify", "check hash chains and read models against the log"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--data-dir", default=None)
        if name != "status":
            p.add_argument("--service", action="append", default=None)
        if name == "replay":
            ops.add_replay_options(p)
        if name == "verify":
            p.add_argument("--kab", action="append", default=None, help="only this kabupaten")
            p.add_argument(
                "--kec",
                default=None,
                help="only this kecamatan: its aggregates' chains, the stream's removed"
                " sequences and its read-model rows (the signed checkpoints cover a whole"
                " kabupaten: verify it with --kab)",
            )
            p.add_argument(
                "--workers",
                type=int,
                default=1,
                help="processes checking the logs' chains and rebuilding the read models",
            )
            p.add_argument(
                "--digest",
                action="append",
                default=[],
                metavar=FORM,
                help="a digest of a log kept outside the system, as the SKK report and the"
                " transparency page print it",
            )
            p.add_argument(
                "--witness",
                type=Path,
                default=None,
                metavar="FILE",
                help="a file `smart witness` kept: every checkpoint in it must still match",
            )
    p = sub.add_parser("token", help="print a new API token (on the last line)")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--kab")
    p.add_argument("--kec")
    p.add_argument("--desa")
    p.add_argument("--name", default="cli")
    p = sub.add_parser("report", help="write the SKK report of a kecamatan and year")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--kec", required=True, help="kecamatan code, e.g. 352005")
    p.add_argument("--year", type=int, required=True)
    p.add_argument(
        "--format",
        default="pdf",
        choices=["pdf", "html", "csv", "xlsx"],
        help="pdf (signable, A4), html (one page), xlsx (one sheet per table) or csv: ONE ZIP"
        " FILE (.csv.zip) holding one .csv per table (ringkasan, kegiatan, donasi_per_bulan,"
        " paket_per_desa, paket_desa_x_bulan, paket_per_desa_bulan, temuan_per_tahun,"
        " temuan_per_kategori)",
    )
    p.add_argument(
        "--sep",
        default=";",
        choices=[";", ","],
        help="the CSV files' separator: ';' (default, what an Indonesian-locale spreadsheet"
        " expects; decimals with ',') or ',' (decimals with '.')",
    )
    p.add_argument("--lang", default="id", choices=["id", "en"])
    p.add_argument("--out", default=None, help="file to write (default: laporan-skk-...)")
    p = sub.add_parser(
        "user",
        help="dashboard users: add, list, passwd (a new password; enables again), disable"
        " (the password from stdin/prompt)",
    )
    p.add_argument("action", choices=["add", "list", "passwd", "disable"])
    p.add_argument("--data-dir", default=None)
    p.add_argument("--username", help="required by add, passwd and disable")
    p.add_argument("--role", choices=ROLES, help="for add")
    p.add_argument("--kab")
    p.add_argument("--kec")
    p.add_argument("--desa")
    p.add_argument("--password-stdin", action="store_true")
    ops.add_checkpoints_options(sub.add_parser("checkpoints", help="resume refused checkpoints"))
    add_witness_options(sub.add_parser("witness", help="keep the signed checkpoints in a file"))
    p = sub.add_parser("dlq", help="dead letters: list, or retry after a fix")
    p.add_argument("action", choices=["list", "retry"])
    p.add_argument("id", nargs="?", type=int)
    p.add_argument("--data-dir", default=None)
    return parser


def _command(args: argparse.Namespace) -> Coroutine[Any, Any, int]:  # noqa: PLR0911
    if args.command == "up":
        return up(Path(args.data_dir), args.http_port, args.demo, args.host)
    if args.command == "run":
        return run_one(args.service)
    if args.command == "provision":
        return provision(args.kab, args.gateway)
    if args.command == "token":
        return _token(args)
    if args.command == "witness":
        return _witness(args)
    settings = settings_for(args.data_dir)
    if args.command in ("report", "user"):
        return _web_command(settings, args)
    operations = {
        "status": lambda: ops.status(settings),
        "dlq": lambda: ops.dlq(settings, args.action, args.id),
        "checkpoints": lambda: ops.resume_checkpoints(settings, args.kab, args.upto, args.note),
        "replay": lambda: ops.replay(
            settings, args.service, args.kab, args.kec, args.from_seq, args.workers
        ),
        "verify": lambda: verify.verify(
            settings,
            args.service,
            [k.replace(".", "") for k in args.kab or []] or None,
            _kept_digests(args.digest),
            args.kec,
            args.workers,
            _witnessed(args.witness),
        ),
    }
    return operations[args.command]()


def _kept_digests(values: list[str]) -> list[KeptDigest]:
    """`--digest` values: each a `KeptDigest`, or `CannotRun` saying the form."""
    try:
        return [KeptDigest.parse(value, "given with --digest") for value in values]
    except ValueError as exc:
        raise CannotRun(f"--digest {exc}") from None


def _witnessed(path: Path | None) -> list[KeptDigest]:
    """The digests of a witness file given to `smart verify --witness`."""
    if path is None:
        return []
    if not path.is_file():
        raise CannotRun(f"--witness {path}: no such file")
    return WitnessFile.load(path).kept()


def _witness(args: argparse.Namespace) -> Coroutine[Any, Any, int]:
    return witness(
        witness_settings(args.data_dir, args.nats_url),
        args.out,
        [k.replace(".", "") for k in args.kab or []] or None,
        once=args.once,
        interval=args.interval,
        creds=args.creds,
        public_key=args.public_key,
    )


def _undot(code: str | None) -> str | None:
    return code.replace(".", "") if code else None


async def _token(args: argparse.Namespace) -> int:
    from services.gateway.auth import KECAMATAN_ROLES, Role, issue_token  # noqa: PLC0415

    settings = secret_settings(args.data_dir)
    kab, kec, desa = _undot(args.kab), _undot(args.kec), _undot(args.desa)
    if kec and not kab:
        kab = kec[:4]
    role = Role(args.role)
    if role in KECAMATAN_ROLES and not kec:
        raise CannotRun(f"a {role.value} token needs --kec")
    if role is Role.OPERATOR and not desa:
        raise CannotRun("an operator token needs --desa")
    print(f"Token for {role.value} {args.name} ({kec or kab or 'all areas'}):")
    print(
        issue_token(
            settings.secret_key.get_secret_value(),
            sub=args.name,
            role=role,
            kab=kab,
            kec=kec,
            desa=desa,
        )
    )
    return 0


async def _web_command(settings: Settings, args: argparse.Namespace) -> int:
    from services.gateway.report.cli import ReportFailed, write_report  # noqa: PLC0415

    try:
        if args.command == "report":
            path = await write_report(
                settings, args.kec, args.year, args.format, args.out, args.lang, args.sep
            )
            print(f"report written: {path}")
        else:
            print(await _user_command(settings, args))
    except (ReportFailed, ValueError) as exc:
        raise CannotRun(str(exc)) from None
    return 0


async def _user_command(settings: Settings, args: argparse.Namespace) -> str:
    """`smart user add|list|passwd|disable`, for the machine's owner (a lost admin password
    is reset here); passwd and disable end the user's open sessions."""
    from services.gateway.auth import Role  # noqa: PLC0415
    from services.gateway.users import (  # noqa: PLC0415
        add_user,
        change_user,
        list_users,
        new_user,
        read_password,
    )

    if args.action == "list":
        return await list_users(settings)
    if not args.username:
        raise CannotRun(f"smart user {args.action} needs --username")
    if args.action == "disable":
        return await change_user(settings, args.username, disable=True)
    password = read_password(args.password_stdin)
    if args.action == "passwd":
        return await change_user(settings, args.username, password=password)
    if not args.role:
        raise CannotRun("smart user add needs --role")
    area = {"kab": args.kab, "kec": args.kec, "desa": args.desa}
    return await add_user(settings, new_user(args.username, password, Role(args.role), **area))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(_command(args))
    except CannotRun as exc:
        print(f"smart: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    except LogUnavailable as exc:
        print(f"smart: could not read the log: {exc}", file=sys.stderr)
        return 2
    except (OSError, TimeoutError, nats.errors.Error) as exc:
        print(f"smart: could not run: {exc or type(exc).__name__}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
