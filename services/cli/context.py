"""Finding a running deployment from the command line: --data-dir or SMART_* URLs."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from pydantic import SecretStr

from shared.config import Settings
from shared.infra.credentials import CredentialsMissing, operator_settings, public

ENDPOINTS_FILE = "endpoints.json"
SECRET_FILE = "secret.key"  # noqa: S105 - a file name, not a secret


class CannotRun(RuntimeError):
    """The command cannot find what it needs (exit code 2)."""


def ensure_secret(settings: Settings) -> Settings:
    """A deployment secret: the configured one, else one kept in the data directory."""
    if settings.secret_key.get_secret_value():
        return settings
    path = settings.data_dir / SECRET_FILE
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return settings.model_copy(update={"secret_key": SecretStr(path.read_text().strip())})


def write_endpoints(settings: Settings, http_url: str | None) -> None:
    """Where the running system is, without a password: a command finds the operator's
    credentials in `credentials_dir`, which only the data directory's owner can read."""
    credentials = settings.credentials_dir
    (settings.data_dir / ENDPOINTS_FILE).write_text(
        json.dumps(
            {
                "nats_url": public(settings.nats_url),
                "database_url": public(settings.database_url),
                "http_url": http_url,
                "credentials_dir": str(credentials) if credentials else None,
            },
            indent=2,
        )
    )


def secret_settings(data_dir: str | None) -> Settings:
    """Settings with the deployment secret (of the data directory unless configured)."""
    settings = Settings()
    if data_dir:
        settings = settings.model_copy(update={"data_dir": Path(data_dir)})
    if (
        not settings.secret_key.get_secret_value()
        and not (settings.data_dir / SECRET_FILE).exists()
    ):
        raise CannotRun(f"no deployment secret: {settings.data_dir / SECRET_FILE} is missing")
    return ensure_secret(settings)


def settings_for(data_dir: str | None) -> Settings:
    """Settings of a running deployment: explicit URLs win, else the data dir's endpoints."""
    settings = Settings()
    if data_dir:
        settings = settings.model_copy(update={"data_dir": Path(data_dir)})
    if settings.nats_url and settings.database_url:
        return ensure_secret(settings) if data_dir else settings
    path = settings.data_dir / ENDPOINTS_FILE
    if not path.exists():
        raise CannotRun(
            f"no running system found: {path} is missing; start `smart up` or set "
            "SMART_NATS_URL and SMART_DATABASE_URL"
        )
    known = json.loads(path.read_text())
    credentials = known.get("credentials_dir")
    settings = settings.model_copy(
        update={
            "nats_url": settings.nats_url or known["nats_url"],
            "database_url": settings.database_url or known["database_url"],
            "credentials_dir": settings.credentials_dir
            or (Path(credentials) if credentials else None),
        }
    )
    try:
        settings = operator_settings(settings)
    except CredentialsMissing as exc:
        raise CannotRun(f"{exc}: run this as the user who runs `smart up`") from None
    return ensure_secret(settings)
