"""Deployment settings, read from SMART_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a process of the deployment needs to find its infrastructure.

    With no `nats_url` / `database_url`, `smart up` starts embedded servers in `data_dir`.
    """

    model_config = SettingsConfigDict(env_prefix="SMART_", extra="ignore")

    nats_url: str | None = Field(
        default=None, description="Comma-separated NATS server URLs (a cluster takes several)."
    )
    database_url: str | None = None
    data_dir: Path = Path(".smart")
    credentials_dir: Path | None = Field(
        default=None,
        description="The roles' generated credentials (`smart up`: data_dir/credentials): each"
        " service connects with its own; unset, the URLs carry the process's credentials.",
    )
    key_dir: Path | None = Field(
        default=None,
        description="Where the key-encryption keys of personal data live (default: data_dir/keys);"
        " replicas of a service share it.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(""),
        description="Deployment secret for HMAC lookups and signed checkpoints.",
    )
    stream_replicas: int = Field(default=1, ge=1, le=5)
    duplicate_window_s: float = Field(default=120.0, gt=0)
    kabupaten: str = Field(
        default="*", description="Kabupaten codes this process serves: '*' or '3520,3521'."
    )
    projector_batch: int = Field(default=500, ge=1, le=10_000)
    projector_max_attempts: int = Field(default=5, ge=1)
    wait_for_timeout_s: float = Field(default=10.0, gt=0)
    http_port: int = 8080
    checkpoint_interval_s: float = Field(default=600.0, gt=0)
    metrics_port: int | None = Field(
        default=None, description="Serve /metrics, /healthz, /readyz on this port (off if unset)."
    )
    ready_max_lag: int = Field(
        default=100, ge=0, description="/readyz fails when a projector is further behind."
    )
    log_format: Literal["text", "json"] = "text"
    max_json_body_bytes: int = Field(
        default=2_000_000, ge=1, description="The gateway refuses a larger JSON body (413)."
    )
    max_import_body_bytes: int = Field(
        default=20_000_000, ge=1, description="The gateway refuses a larger CSV import (413)."
    )

    def nats_servers(self) -> list[str]:
        if not self.nats_url:
            return []
        return [u.strip() for u in self.nats_url.split(",") if u.strip()]

    def keys_path(self) -> Path:
        return self.key_dir or self.data_dir / "keys"

    def served_kabupaten(self) -> list[str] | None:
        """The configured kabupaten, or None when the process serves every stream."""
        if self.kabupaten.strip() in ("", "*"):
            return None
        return [k.strip().replace(".", "") for k in self.kabupaten.split(",") if k.strip()]
