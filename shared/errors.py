"""Refusals every layer speaks: a code, a message in Bahasa Indonesia and in English."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A business rule refused a command (409 unless a subclass says otherwise)."""

    status: int = 409

    def __init__(
        self,
        code: str,
        message: str,
        message_en: str,
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message = message
        self.message_en = message_en
        self.field = field
        self.extra = extra or {}
        if status is not None:
            self.status = status

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
        }
        if self.field is not None:
            error["field"] = self.field
        error.update(self.extra)
        return {"error": error}


class InvalidInput(DomainError):
    """Bad input: wrong shape, range or an unknown reference in the body (422)."""

    status = 422

    def __init__(self, field: str, message: str, message_en: str, code: str = "INVALID") -> None:
        super().__init__(code, message, message_en, field=field)


class NotFound(DomainError):
    """An unknown id in the path (404)."""

    status = 404

    def __init__(self, what: str, ident: str, what_en: str | None = None) -> None:
        super().__init__(
            "NOT_FOUND",
            f"{what} {ident} tidak ditemukan",
            f"{what_en or what} {ident} not found",
        )


class Forbidden(DomainError):
    """The caller's role or area does not cover what it asks (403)."""

    status = 403

    def __init__(self) -> None:
        super().__init__(
            "FORBIDDEN",
            "Anda tidak berwenang atas wilayah atau tindakan ini",
            "You are not allowed to act on this area or to do this",
        )


class NotCaughtUp(DomainError):
    """The read side did not reach the asked position in time (503)."""

    status = 503

    def __init__(self, position: int) -> None:
        super().__init__(
            "NOT_CAUGHT_UP",
            f"Data belum mencapai posisi {position}; coba lagi sebentar lagi",
            f"The read side has not reached position {position} yet; try again shortly",
        )


class WriteConflict(DomainError):
    """Concurrent writers kept winning; the command was not applied (409)."""

    def __init__(self) -> None:
        super().__init__(
            "CONFLICT",
            "Data sedang diubah oleh pengguna lain; silakan ulangi",
            "The data was being changed by someone else; please retry",
        )
