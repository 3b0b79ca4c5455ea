"""The dashboard's forms: CSRF, the Idempotency-Key, post-redirect-get, field errors, notices.

How a page with a form uses this module (every POST of the dashboard goes this way):

* **Render.** The template does `{% from "_macros.html" import guard, field_error with
  context %}` and puts `{{ guard() }}` inside each `<form method="post">`: the CSRF token
  (`csrf`) and an Idempotency-Key fixed now (`idem`) as hidden fields. Next to a field,
  `{{ field_error(errors, "amount") }}`; `{{ field_error(errors, "_form") }}` for a refusal
  that names no field. Give the template `errors={}` and `values={}` (what was typed, for the
  form shown again). `base.html` shows the notice of the last submit by itself.
* **The POST.** `WebRoute` (render.py) refuses every POST 403 before its handler unless the
  `csrf` field matches the session (an HMAC of its id; before sign-in, of the browser's
  `smart_csrf` cookie) and the request is not cross-origin: `check_csrf`. The handler reads
  `fields = await form_fields(request)`, builds the command's body (`whole` reads a number
  typed as "5.000" or "Rp 5.000") and calls
  `sent = await send(request, area, service, rpc, body, params={"id": ...})`:
  the service's RPC through the gateway's bridge, as the API calls it, with the form's `idem`
  as the Idempotency-Key (a double submit appends once and answers the first answer).
* **Success.** `return done(request, url, "notice_key", sent.position)`: 303 to the page
  that shows the new state. That page's reads wait for `position` (read-your-writes:
  `Web.area` passes it as `wait_for`) and it shows the notice once (a signed cookie).
* **Refusal.** `errors = field_errors(sent, words, {"rpc_field": "form_field"})` maps the
  RPC's `field` (e.g. `attendance.officials`) to the form's field, in the viewer's language;
  render the form again with `status=sent.status` and the typed `values`.
* **What a page offers.** `may_write(area.claims, op_writers)`: an auditor never sees a
  write form; the role must be among the operation's writers. The service judges the write
  again (an operator outside their desa is refused there).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from services.gateway.auth import Claims
from services.gateway.bridge import canonical
from services.gateway.idempotency import Remembered, body_hash, scope_key
from services.gateway.web.i18n import Words
from services.gateway.web.session import is_tls, session_token
from shared.edge.rpc import RpcReply
from shared.errors import DomainError

if TYPE_CHECKING:
    from services.gateway.web.render import Area

CSRF_FIELD = "csrf"
IDEM_FIELD = "idem"
NONCE_COOKIE = "smart_csrf"
FLASH_COOKIE = "smart_flash"
_IDEM = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_NOTICE = re.compile(r"^[a-z0-9_]{1,40}$")
_PREFIX = re.compile(r"^(Isian|Field) '[^']*' (tidak valid|is invalid): ")
FORM_ERROR = "_form"
"""The key of a refusal that names no field of the form (shown above the form)."""


class CsrfRefused(DomainError):
    status = 403

    def __init__(self) -> None:
        super().__init__(
            "CSRF_REFUSED",
            "Formulir ini tidak dikirim dari halaman dasbor ini atau sudah kedaluwarsa."
            " Muat ulang halaman lalu kirim lagi.",
            "This form was not sent from this dashboard's page, or it has expired."
            " Reload the page and send it again.",
        )


def _key(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"gateway-{purpose}:{secret}".encode()).digest()


def _mac(secret: str, purpose: str, text: str) -> str:
    digest = hmac.new(_key(secret, purpose), text.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _basis(request: Request, secret: str, *, make: bool) -> str | None:
    """What the token is bound to: the session's id, else the browser's nonce cookie."""
    claims = session_token(request, secret)
    if claims is not None and claims.sid:
        return f"sid:{claims.sid}"
    nonce = request.cookies.get(NONCE_COOKIE) or getattr(request.state, "csrf_nonce", None)
    if nonce is None and make:
        nonce = request.state.csrf_nonce = secrets.token_urlsafe(18)
    return f"pre:{nonce}" if nonce else None


def csrf_token(request: Request, secret: str) -> str:
    """The token a form rendered for this request carries (`keep_nonce` sets its cookie)."""
    basis = _basis(request, secret, make=True)
    return _mac(secret, "csrf", basis or "")


def keep_nonce(request: Request, response: Response) -> None:
    """A browser without a session gets the nonce its sign-in form's token is bound to."""
    nonce = getattr(request.state, "csrf_nonce", None)
    if nonce and not request.cookies.get(NONCE_COOKIE):
        response.set_cookie(
            NONCE_COOKIE, nonce, httponly=True, samesite="lax", secure=is_tls(request), path="/"
        )


def _cross_origin(request: Request) -> bool:
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    hosts = {request.headers.get("host"), request.headers.get("x-forwarded-host")}
    return urlsplit(origin).netloc not in hosts - {None}


async def form_fields(request: Request) -> dict[str, str]:
    """The form's text fields (an uploaded file is left to its handler)."""
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


async def check_csrf(request: Request, secret: str) -> None:
    """403 for a POST from another site, or without this session's token."""
    if _cross_origin(request):
        raise CsrfRefused()
    basis = _basis(request, secret, make=False)
    sent = (await form_fields(request)).get(CSRF_FIELD, "")
    if basis is None or not hmac.compare_digest(_mac(secret, "csrf", basis), sent):
        raise CsrfRefused()


def new_key() -> str:
    """An Idempotency-Key for a form being rendered."""
    return secrets.token_urlsafe(18)


def may_write(claims: Claims, writers: frozenset[str]) -> bool:
    """Whether a page offers a write to this viewer (the auditor is never a writer)."""
    return claims.role.value in writers


def whole(text: str | None) -> int | str | None:
    """A number as typed ("5000", "5.000", "Rp 5.000"); text that is none stays text, so the
    service refuses it next to its field."""
    if text is None or not text.strip():
        return None
    bare = re.sub(r"^rp\.?\s*", "", text.strip().lower()).replace(".", "").replace(" ", "")
    return int(bare) if bare.isdigit() and len(bare) <= 15 else text


def typed(fields: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """What was typed in each named field, trimmed: shown again beside a refusal."""
    return {name: fields.get(name, "").strip() for name in names}


def filled(values: Mapping[str, Any]) -> dict[str, Any]:
    """The fields filled in, as a form sends them: an empty one is left out."""
    return {k: v for k, v in values.items() if v != ""}


def optional(text: str | None) -> str | None:
    """A text field left empty is absent."""
    return text.strip() if text and text.strip() else None


async def send(
    request: Request,
    area: Area,
    service: str,
    rpc: str,
    body: Any,
    *,
    params: dict[str, Any] | None = None,
) -> RpcReply:
    """The write of a submitted form, through the bridge, once per the form's `idem`."""
    bridge = request.app.state.web.bridge
    key = (await form_fields(request)).get(IDEM_FIELD, "")
    if not _IDEM.match(key):
        return await bridge.rpc(area.call, service, rpc, params=params, body=body)  # type: ignore[no-any-return]
    scope = scope_key(area.kec, "POST", request.url.path, key)
    digest = body_hash(canonical({"params": params or {}, "body": body}))
    kept = await bridge.idempotency.recall(scope)
    if kept is None:
        reply: RpcReply = await bridge.rpc(
            area.call, service, rpc, params=params, body=body, command_id=f"idem-{scope}"
        )
        if reply.status >= 500:
            return reply
        fresh = Remembered(digest, reply.status, reply.model_dump(mode="json"))
        kept = await bridge.idempotency.remember(scope, fresh)
    if kept.body_hash != digest:
        return RpcReply(
            status=422,
            error={
                "code": "IDEMPOTENCY_KEY_REUSED",
                "message": "Formulir ini sudah dikirim dengan isi lain. Buka lagi formulirnya.",
                "message_en": "This form was already sent with other values. Open it afresh.",
            },
        )
    return RpcReply.model_validate(kept.content)


def field_errors(
    reply: RpcReply, words: Words, fields: Mapping[str, str], general: str = FORM_ERROR
) -> dict[str, str]:
    """The refusal as `{form field: plain words}`; `general` (`_form`) when it names no field
    of the form. A field of a list (`desa.2.code`) is the form's field, on line 3."""
    error = reply.error or {}
    text = str(error.get("message" if words.lang == "id" else "message_en", ""))
    named = str(error.get("field") or "")
    head, _, rest = named.partition(".")
    target = fields.get(named) or fields.get(head)
    if target is None:
        return {general: text}
    index = rest.split(".", maxsplit=1)[0]
    where = f"{words('line')} {int(index) + 1}: " if index.isdigit() else ""
    return {target: where + _PREFIX.sub("", text)}


@dataclass(frozen=True)
class Flash:
    """What the page after a submit shows once (`notice`, a TEXTS key whose `{x}` is `detail`)
    and the log position its reads wait for."""

    notice: str
    position: int | None
    detail: str = ""


def done(
    request: Request, url: str, notice: str, position: int | None = None, detail: str = ""
) -> RedirectResponse:
    """Post-redirect-get: 303 to `url`, whose page shows `notice` and the new state."""
    secret = request.app.state.web.bridge.secret
    payload = json.dumps({"n": notice, "p": position, "d": detail[:80]}, separators=(",", ":"))
    text = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLASH_COOKIE,
        f"{text}.{_mac(secret, 'flash', text)}",
        max_age=120,
        httponly=True,
        samesite="lax",
        secure=is_tls(request),
        path="/",
    )
    return response


def read_flash(request: Request, secret: str) -> Flash | None:
    """The last submit's notice and position, if its signed cookie came with this request."""
    text, _, mac = request.cookies.get(FLASH_COOKIE, "").partition(".")
    if not text or not hmac.compare_digest(_mac(secret, "flash", text), mac):
        return None
    doc = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    position = doc.get("p")
    if not _NOTICE.match(str(doc.get("n"))):
        return None
    return Flash(doc["n"], position if isinstance(position, int) else None, str(doc.get("d", "")))


def drop_flash(request: Request, response: Response) -> None:
    if FLASH_COOKIE in request.cookies and response.status_code < 300:
        response.delete_cookie(FLASH_COOKIE, path="/", httponly=True, samesite="lax")
