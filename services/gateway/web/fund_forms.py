"""The fund's forms: record a donation, void one with a reason, record a procurement or an
expense."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter, Request, Response

from services.gateway.web.forms import (
    done,
    field_errors,
    form_fields,
    may_write,
    optional,
    send,
    whole,
)
from services.gateway.web.render import (
    Area,
    WebRoute,
    int_param,
    open_page,
    words_of,
    year_param,
)
from shared.clock import jakarta_today
from shared.contracts import operations
from shared.errors import Forbidden, NotFound
from shared.events.donations import ExpenseCategory

PAGE = "/dasbor/{kab}/{kec}"
PER_PAGE = 25
RECORD = PAGE + "/dana/catat"
VOID = PAGE + "/dana/donasi/{id}/batal"
DONATION_FIELDS = {
    "unit": "unit",
    "amount_idr": "amount_idr",
    "received_on": "received_on",
    "donor": "donor",
}
EXPENSE_FIELDS = {
    "amount_idr": "expense_amount_idr",
    "spent_on": "spent_on",
    "category": "category",
    "description": "description",
}
PROCURE_FIELDS = {
    "packages": "packages",
    "unit_price_idr": "unit_price_idr",
    "purchased_on": "purchased_on",
    "supplier": "supplier",
}


@cache
def writers_of(operation_id: str) -> frozenset[str]:
    return next(op.writers for op in operations() if op.operation_id == operation_id)


def may_record(area: Area) -> bool:
    return may_write(area.claims, writers_of("receiveDonation"))


async def fund_extras(area: Area) -> dict[str, Any]:
    """What the fund page adds: the way to the forms, for the roles that keep the fund, and
    to the cash book."""
    return {"may_record": may_record(area), "cashbook_url": f"{area.base}/dana/kas"}


async def record_page(
    request: Request,
    area: Area,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    web = request.app.state.web
    year = year_param(request)
    kecamatan = await area.fetch("scheduler", "kecamatan_get", {})
    found = await area.fetch("donations", "donations", {"year": year})
    rows = found["donations"]
    pages = max(1, -(-len(rows) // PER_PAGE))
    page = int_param(request, "halaman", 1, 1, pages)
    today = jakarta_today().isoformat()
    return web.render(  # type: ignore[no-any-return]
        request,
        "fund_record.html",
        status,
        area=area,
        nav="fund",
        year=year,
        units=kecamatan["units"],
        donations=rows[(page - 1) * PER_PAGE : page * PER_PAGE],
        count=len(rows),
        page=page,
        pages=pages,
        may_void=may_write(area.claims, writers_of("voidDonation")),
        may_procure=may_write(area.claims, writers_of("procurePackages")),
        may_expense=may_write(area.claims, writers_of("recordExpense")),
        categories=list(ExpenseCategory),
        errors=errors or {},
        values={
            "received_on": today,
            "purchased_on": today,
            "spent_on": today,
            **(values or {}),
        },
    )


async def record_view(request: Request, kab: str, kec: str) -> Response:
    _, area, _ = await open_page(request, kab, kec, write=True)
    if not may_record(area):
        raise Forbidden()
    return await record_page(request, area)


async def _record(
    request: Request, kab: str, kec: str, operation: str, rpc: str, body: dict[str, Any]
) -> tuple[Area, Any]:
    _, area, _ = await open_page(request, kab, kec, write=True)
    if not may_write(area.claims, writers_of(operation)):
        raise Forbidden()
    return area, await send(request, area, "donations", rpc, body)


async def receive(request: Request, kab: str, kec: str) -> Response:
    f = await form_fields(request)
    body = {
        "unit": f.get("unit", ""),
        "amount_idr": whole(f.get("amount_idr")),
        "received_on": f.get("received_on", ""),
        "donor": optional(f.get("donor")),
    }
    area, sent = await _record(request, kab, kec, "receiveDonation", "donation_receive", body)
    if sent.ok:
        receipt = str(sent.data.get("receipt_no", "")) if isinstance(sent.data, dict) else ""
        url = f"{area.base}/dana/catat?tahun={str(body['received_on'])[:4]}"
        return done(request, url, "donation_ok", sent.position, receipt)
    return await _refused(request, area, sent, DONATION_FIELDS, "_donation", f)


async def procure(request: Request, kab: str, kec: str) -> Response:
    f = await form_fields(request)
    body = {
        "packages": whole(f.get("packages")),
        "unit_price_idr": whole(f.get("unit_price_idr")),
        "purchased_on": f.get("purchased_on", ""),
        "supplier": f.get("supplier", "").strip(),
    }
    area, sent = await _record(request, kab, kec, "procurePackages", "procure", body)
    if sent.ok:
        url = f"{area.base}/dana/catat?tahun={str(body['purchased_on'])[:4]}"
        return done(request, url, "procured_ok", sent.position, str(body["packages"]))
    return await _refused(request, area, sent, PROCURE_FIELDS, "_procure", f)


async def spend(request: Request, kab: str, kec: str) -> Response:
    """An expense; once recorded, its month of the cash book shows it."""
    f = await form_fields(request)
    body = {
        "amount_idr": whole(f.get("expense_amount_idr")),
        "spent_on": f.get("spent_on", ""),
        "category": f.get("category", ""),
        "description": f.get("description", "").strip(),
    }
    area, sent = await _record(request, kab, kec, "recordExpense", "expense_record", body)
    if sent.ok:
        receipt = str(sent.data.get("receipt_no", "")) if isinstance(sent.data, dict) else ""
        day = str(body["spent_on"])
        url = f"{area.base}/dana/kas?tahun={day[:4]}&bulan={int(day[5:7])}"
        return done(request, url, "expense_ok", sent.position, receipt)
    return await _refused(request, area, sent, EXPENSE_FIELDS, "_expense", f)


async def _refused(
    request: Request,
    area: Area,
    sent: Any,
    fields: dict[str, str],
    general: str,
    typed: dict[str, str],
) -> Response:
    errors = field_errors(sent, words_of(request), fields, general)
    return await record_page(request, area, status=sent.status, errors=errors, values=typed)


async def _donation(area: Area, donation_id: str) -> dict[str, Any]:
    found = await area.fetch("donations", "donations", {})
    for donation in found["donations"]:
        if donation["donation_id"] == donation_id:
            return dict(donation)
    raise NotFound("Donasi", donation_id[:40], "Donation")


async def void_view(request: Request, kab: str, kec: str, id: str) -> Response:
    web, area, _ = await open_page(request, kab, kec, write=True)
    if not may_write(area.claims, writers_of("voidDonation")):
        raise Forbidden()
    donation = await _donation(area, id)
    return web.render(request, "fund_void.html", area=area, nav="fund", donation=donation)


async def void(request: Request, kab: str, kec: str, id: str) -> Response:
    f = await form_fields(request)
    body = {"reason": optional(f.get("reason"))}
    _, area, words = await open_page(request, kab, kec, write=True)
    if not may_write(area.claims, writers_of("voidDonation")):
        raise Forbidden()
    donation = await _donation(area, id)
    sent = await send(request, area, "donations", "donation_void", body, params={"id": id})
    if sent.ok:
        url = f"{area.base}/dana/catat?tahun={str(donation['received_on'])[:4]}"
        return done(request, url, "voided_ok", sent.position, str(donation["receipt_no"]))
    errors = field_errors(sent, words, {"reason": "reason"})
    return request.app.state.web.render(  # type: ignore[no-any-return]
        request,
        "fund_void.html",
        sent.status,
        area=area,
        nav="fund",
        donation=donation,
        errors=errors,
        values=f,
    )


def build_fund_router() -> APIRouter:
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    router.add_api_route(RECORD, record_view, methods=["GET"])
    router.add_api_route(PAGE + "/dana/donasi", receive, methods=["POST"])
    router.add_api_route(PAGE + "/dana/pembelian", procure, methods=["POST"])
    router.add_api_route(PAGE + "/dana/pengeluaran", spend, methods=["POST"])
    router.add_api_route(VOID, void_view, methods=["GET"])
    router.add_api_route(VOID, void, methods=["POST"])
    return router
