"""The cash book page (buku kas umum, printable) and closing a month of the books."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request, Response

from services.gateway.web.forms import FORM_ERROR, done, field_errors, may_write, send
from services.gateway.web.fund_forms import writers_of
from services.gateway.web.i18n import Words
from services.gateway.web.render import Area, WebRoute, int_param, open_page, year_param
from shared.clock import jakarta_today
from shared.errors import Forbidden, InvalidInput

PAGE = "/dasbor/{kab}/{kec}/dana/kas"
CLOSE = PAGE + "/{period}/tutup"
_PERIOD = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])$")


def month_param(request: Request) -> int:
    """`bulan` of the query; absent or unreadable: this month in Jakarta."""
    return int_param(request, "bulan", jakarta_today().month, 1, 12)


def may_close(area: Area) -> bool:
    return may_write(area.claims, writers_of("closePeriod"))


async def cashbook_view(request: Request, kab: str, kec: str) -> Response:
    """A month of the cash book: the balance brought forward, every movement with the
    balance after it, the closing balance; the way to close it for the camat and admin."""
    web, area, _ = await open_page(request, kab, kec)
    year, month = year_param(request), month_param(request)
    book = await area.fetch("donations", "cashbook_detail", {"year": year, "month": month})
    periods = await area.fetch("donations", "periods", {})
    return web.render(
        request,
        "cashbook.html",
        area=area,
        nav="fund",
        year=year,
        month=month,
        period=f"{year:04d}-{month:02d}",
        book=book,
        closed=periods["closed"],
        may_close=may_close(area),
        may_expense=may_write(area.claims, writers_of("recordExpense")),
    )


def parsed(period: str) -> tuple[int, int]:
    match = _PERIOD.match(period)
    if match is None:
        raise InvalidInput("period", "Bulan harus TTTT-BB", "The month must be YYYY-MM")
    return int(match["year"]), int(match["month"])


async def _closer(request: Request, kab: str, kec: str) -> tuple[Area, Words]:
    _, area, words = await open_page(request, kab, kec, write=True)
    if not may_close(area):
        raise Forbidden()
    return area, words


def confirmation(
    request: Request,
    area: Area,
    period: str,
    status: int = 200,
    errors: dict[str, str] | None = None,
) -> Response:
    year, month = parsed(period)
    return request.app.state.web.render(  # type: ignore[no-any-return]
        request,
        "cashbook_close.html",
        status,
        area=area,
        nav="fund",
        period=period,
        year=year,
        month=month,
        errors=errors or {},
    )


async def close_view(request: Request, kab: str, kec: str, period: str) -> Response:
    """Closing asks first: it cannot be undone."""
    area, _ = await _closer(request, kab, kec)
    return confirmation(request, area, period)


async def close(request: Request, kab: str, kec: str, period: str) -> Response:
    area, words = await _closer(request, kab, kec)
    year, month = parsed(period)
    sent = await send(request, area, "donations", "period_close", {}, params={"id": period})
    if sent.ok:
        url = f"{area.base}/dana/kas?tahun={year}&bulan={month}"
        return done(request, url, "period_closed_ok", sent.position, period)
    errors = field_errors(sent, words, {}, FORM_ERROR)
    return confirmation(request, area, period, sent.status, errors)


def build_cashbook_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    router.add_api_route(PAGE, cashbook_view, methods=["GET"])
    router.add_api_route(CLOSE, close_view, methods=["GET"])
    router.add_api_route(CLOSE, close, methods=["POST"])
    return router
