"""HTTP contract: bearer tokens and roles scoped to an area; refusals never leak data."""

from __future__ import annotations

import pytest

from services.gateway.auth import Role, issue_token
from tests.e2e.conftest import SECRET, System
from tests.e2e.test_api_support import (
    UNITS,
    Api,
    assert_error,
    household_body,
    kecamatan_body,
    log_count,
    this_month,
    today,
)

pytestmark = pytest.mark.e2e


def undot(code: str) -> str:
    return code.replace(".", "")


def donation() -> dict[str, object]:
    return {"unit": UNITS[0], "amount_idr": 50_000, "received_on": today().isoformat()}


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Basic YWRtaW46YWRtaW4=",
        "Bearer",
        "Bearer not-a-token",
        "Bearer smart1.e30.AAAA",
    ],
)
async def test_no_valid_bearer_token_answers_401(api: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    async with api.system.client() as anonymous:
        for method, path in (("GET", "/fund"), ("POST", "/donations"), ("GET", "")):
            resp = await anonymous.request(
                method,
                api.url(path),
                headers=headers,
                json=donation() if method == "POST" else None,
            )
            assert_error(resp, 401, "UNAUTHORIZED")


async def test_a_token_signed_with_another_secret_or_expired_answers_401(api: Api) -> None:
    forged = issue_token("another-secret", sub="x", role=Role.ADMIN)
    expired = issue_token(SECRET, sub="x", role=Role.ADMIN, ttl_s=-10)
    for token in (forged, expired):
        async with api.system.client(token) as client:
            assert_error(await client.get(api.url("/fund")), 401, "UNAUTHORIZED")


async def test_401_comes_before_anything_about_the_kecamatan(system: System) -> None:
    async with system.client() as anonymous:
        assert_error(await anonymous.get("/api/v1/9399/939900/fund"), 401, "UNAUTHORIZED")


async def test_a_camat_acts_only_in_its_own_kecamatan(api: Api, system: System) -> None:
    own = api.as_role(Role.CAMAT, kab=api.kab, kec=api.kec)
    other = api.as_role(Role.CAMAT, kab=api.kab, kec=f"{api.kab}00")
    async with own, other:
        assert (await own.post(api.url("/donations"), json=donation())).status_code == 201
        assert (await own.put(api.url(), json=kecamatan_body(api.kec))).status_code == 200
        count = await log_count(system, api.kab, api.kec)
        for method, path in (("GET", ""), ("GET", "/fund"), ("POST", "/donations")):
            body = donation() if method == "POST" else None
            resp = await other.request(method, api.url(path), json=body)
            assert_error(resp, 403, "FORBIDDEN")
            assert "Kecamatan Uji" not in resp.text
        assert await log_count(system, api.kab, api.kec) == count


async def test_an_admin_of_another_kabupaten_is_forbidden(api: Api) -> None:
    async with api.as_role(Role.ADMIN, kab="3520") as magetan:
        assert_error(await magetan.get(api.url("")), 403, "FORBIDDEN")
        resp = await magetan.put(api.url(), json=kecamatan_body(api.kec))
        assert_error(resp, 403, "FORBIDDEN")


async def test_an_auditor_reads_everything_but_writes_nothing(api: Api, system: System) -> None:
    donated = await api.donate(125_000)
    async with api.as_role(Role.AUDITOR) as auditor:
        fund = await auditor.get(api.url("/fund"), params={"wait_for": donated["position"]})
        assert fund.status_code == 200
        assert fund.json()["donated_idr"] == 125_000
        assert (await auditor.get(api.url(""))).status_code == 200
        household = await api.register()
        masked = await auditor.get(api.url(f"/households/{household['household_id']}"))
        assert masked.status_code == 200
        assert "*" in masked.json()["nik_masked"]
        count = await log_count(system, api.kab, api.kec)
        writes = [
            ("PUT", "", kecamatan_body(api.kec)),
            ("POST", "/donations", donation()),
            ("POST", f"/donations/{donated['donation_id']}/void", {"reason": "audit"}),
            ("POST", "/households", household_body(api.kec, api.desa[0])),
        ]
        for method, path, body in writes:
            assert_error(await auditor.request(method, api.url(path), json=body), 403, "FORBIDDEN")
        assert await log_count(system, api.kab, api.kec) == count


async def test_an_operator_reads_only_its_own_desa_households(api: Api) -> None:
    body_b = household_body(api.kec, api.desa[1])
    in_b = await api.register(**body_b)
    in_a = await api.register()
    operator = api.as_role(Role.OPERATOR, kab=api.kab, kec=api.kec, desa=undot(api.desa[0]))
    async with operator:
        own = await operator.get(api.url(f"/households/{in_a['household_id']}"))
        assert own.status_code == 200
        assert own.json()["desa"] == api.desa[0]
        other = await operator.get(api.url(f"/households/{in_b['household_id']}"))
        assert_error(other, 403, "FORBIDDEN")
        for secret in ("nik", "no_kk", "name", "address", "desa"):
            assert body_b[secret] not in other.text
        assert in_b["household_id"] not in other.text
        change = {"aid": ["PKH"], "as_of": today().isoformat()}
        aid = await operator.post(api.url(f"/households/{in_b['household_id']}/aid"), json=change)
        assert_error(aid, 403, "FORBIDDEN")
        forget = await operator.delete(api.url(f"/households/{in_b['household_id']}"))
        assert_error(forget, 403, "FORBIDDEN")
        registered = await operator.post(api.url("/households"), json=body_b | {"nik": "x"})
        assert_error(registered, 403, "FORBIDDEN")


async def test_an_operator_opens_and_hands_out_only_in_its_own_desa(
    api: Api, system: System
) -> None:
    await api.donate(1_000_000)
    await api.procure(packages=3)
    round_b = (await api.open_round(api.desa[1]))["round_id"]
    household_b = await api.register(desa=api.desa[1])
    operator = api.as_role(Role.OPERATOR, kab=api.kab, kec=api.kec, desa=undot(api.desa[0]))
    async with operator:
        count = await log_count(system, api.kab, api.kec)
        opened = await operator.post(
            api.url("/rounds"), json={"desa": api.desa[2], "month": this_month(), "quota": 1}
        )
        assert_error(opened, 403, "FORBIDDEN")
        body = {"household_id": household_b["household_id"], "distributed_on": str(today())}
        handed = await operator.post(api.url(f"/rounds/{round_b}/packages"), json=body)
        assert_error(handed, 403, "FORBIDDEN")
        assert_error(await operator.post(api.url(f"/rounds/{round_b}/close")), 403, "FORBIDDEN")
        suggestions = await operator.get(api.url(f"/rounds/{round_b}/suggestions"))
        assert_error(suggestions, 403, "FORBIDDEN")
        assert household_b["household_id"] not in suggestions.text
        assert await log_count(system, api.kab, api.kec) == count
        own = await operator.post(
            api.url("/rounds"), json={"desa": api.desa[0], "month": this_month(), "quota": 1}
        )
        assert own.status_code == 201, own.text
        listed = await operator.get(api.url(f"/rounds/{own.json()['round_id']}/suggestions"))
        assert listed.status_code == 200, listed.text
        household_a = await operator.post(
            api.url("/households"), json=household_body(api.kec, api.desa[0])
        )
        assert household_a.status_code == 201, household_a.text
        body = {"household_id": household_a.json()["household_id"], "distributed_on": str(today())}
        handed = await operator.post(
            api.url(f"/rounds/{own.json()['round_id']}/packages"), json=body
        )
        assert handed.status_code == 201, handed.text


async def test_an_operator_cannot_touch_the_fund_or_the_set_up(api: Api) -> None:
    operator = api.as_role(Role.OPERATOR, kab=api.kab, kec=api.kec, desa=undot(api.desa[0]))
    async with operator:
        assert_error(await operator.post(api.url("/donations"), json=donation()), 403, "FORBIDDEN")
        resp = await operator.put(api.url(), json=kecamatan_body(api.kec))
        assert_error(resp, 403, "FORBIDDEN")
        csv_b = "no_kk,nik,name,desa,address,desil,registry,snapshot_date,aid\n"
        csv_b += ",".join(str(v) for v in household_body(api.kec, api.desa[1], aid="").values())
        imported = await operator.post(
            api.url("/households/import"), content=csv_b, headers={"content-type": "text/csv"}
        )
        assert_error(imported, 403, "FORBIDDEN")


async def test_an_operator_import_that_cannot_be_read_is_refused(api: Api) -> None:
    operator = api.as_role(Role.OPERATOR, kab=api.kab, kec=api.kec, desa=undot(api.desa[0]))
    unreadable = f'no_kk,desa\n1,"{"x" * 200_000}"\n'.encode()
    async with operator:
        resp = await operator.post(
            api.url("/households/import"),
            content=unreadable,
            headers={"content-type": "text/csv"},
        )
    assert_error(resp, 422, "INVALID", "file")
