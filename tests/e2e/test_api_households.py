"""HTTP contract: households (register, masked reads, aid, forget) and the CSV import."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.conftest import System
from tests.e2e.test_api_support import (
    Api,
    assert_error,
    assert_write,
    desa_codes,
    household_body,
    kecamatan_body,
    log_count,
    today,
)

pytestmark = pytest.mark.e2e

UNKNOWN = "0190a3f4-0000-7000-8000-0000000000aa"
COLUMNS = ("no_kk", "nik", "name", "desa", "address", "desil", "registry", "snapshot_date", "aid")


def assert_no_clear_data(text: str, body: dict[str, Any]) -> None:
    for secret in (body["nik"], body["no_kk"], body["name"], body["address"]):
        assert secret not in text
    for word in body["name"].split():
        assert word not in text


async def test_a_registered_household_reads_masked(api: Api) -> None:
    body = household_body(api.kec, api.desa[1], name="Sutrisno Budi Prasetyo", desil=3)
    created = await api.post("/households", body)
    household_id = assert_write(created, "household_id", status=201)["household_id"]
    position = created.json()["position"]
    resp = await api.get(f"/households/{household_id}", params={"wait_for": position})
    assert resp.status_code == 200
    assert resp.json() == {
        "household_id": household_id,
        "name_masked": "S******* B*** P*******",
        "nik_masked": f"{body['nik'][:4]}********{body['nik'][-4:]}",
        "desa": api.desa[1],
        "desil": 3,
        "aid": [],
        "eligible": True,
        "forgotten": False,
    }
    assert_no_clear_data(created.text + resp.text, body)


async def test_aid_changes_make_a_household_not_eligible(api: Api) -> None:
    body = household_body(api.kec, api.desa[0], aid=["PBI_JK"])
    household_id = (await api.register(**{k: body[k] for k in ("aid", "name")}))["household_id"]
    got = await api.get(f"/households/{household_id}")
    assert got.json()["eligible"] is True
    assert got.json()["aid"] == ["PBI_JK"]
    change = {"aid": ["PKH", "PBI_JK"], "as_of": today().isoformat()}
    changed = assert_write(await api.post(f"/households/{household_id}/aid", change))
    assert changed["household_id"] == household_id
    assert sorted(changed["aid"]) == ["PBI_JK", "PKH"]
    assert changed["eligible"] is False
    assert set(changed) == {
        "household_id",
        "name_masked",
        "nik_masked",
        "desa",
        "desil",
        "aid",
        "eligible",
        "forgotten",
        "position",
    }


async def test_forgetting_a_household(api: Api, system: System) -> None:
    body = household_body(api.kec, api.desa[0])
    household_id = (await api.register(nik=body["nik"], no_kk=body["no_kk"]))["household_id"]
    resp = await api.client.delete(api.url(f"/households/{household_id}"))
    forgotten = assert_write(resp, "household_id", "forgotten")
    assert forgotten["household_id"] == household_id
    assert forgotten["forgotten"] is True
    got = await api.get(f"/households/{household_id}", params={"wait_for": forgotten["position"]})
    assert got.status_code == 200
    assert got.json()["forgotten"] is True
    assert got.json()["eligible"] is False
    assert_no_clear_data(got.text, body)
    count = await log_count(system, api.kab, api.kec)
    change = {"aid": [], "as_of": today().isoformat()}
    refused = await api.post(f"/households/{household_id}/aid", change)
    assert_error(refused, 409, "HOUSEHOLD_FORGOTTEN")
    assert await log_count(system, api.kab, api.kec) == count


@pytest.mark.parametrize("same", ["no_kk", "nik"])
async def test_the_same_number_in_the_kabupaten_is_a_duplicate(
    api: Api, system: System, same: str
) -> None:
    number = household_body(api.kec, api.desa[0])[same]
    first = await api.register(**{same: number})
    neighbour = Api(system, api.kab, f"{api.kab}00", api.client)
    await neighbour.put(kecamatan_body(neighbour.kec))
    for target, desa in ((api, api.desa[1]), (neighbour, desa_codes(neighbour.kec)[0])):
        fresh = household_body(target.kec, desa, **{same: number})
        count = await log_count(system, target.kab, target.kec)
        resp = await target.post("/households", fresh)
        error = assert_error(resp, 409, "DUPLICATE_HOUSEHOLD")
        assert error["household_id"] == first["household_id"]
        assert number not in resp.text
        assert await log_count(system, target.kab, target.kec) == count


@pytest.mark.parametrize(
    ("overrides", "field_name"),
    [
        ({"nik": "352005010190000"}, "nik"),
        ({"no_kk": "35200501019000AB"}, "no_kk"),
        ({"desil": 0}, "desil"),
        ({"desil": 11}, "desil"),
        ({"registry": "P3KE"}, "registry"),
        ({"snapshot_date": "future"}, "snapshot_date"),
        ({"aid": ["PKH", "BANSOS_LAIN"]}, "aid.1"),
        ({"desa": "99.99.99.9999"}, "desa"),
        ({"name": ""}, "name"),
    ],
)
async def test_a_bad_household_is_refused_naming_the_field(
    api: Api, system: System, overrides: dict[str, Any], field_name: str
) -> None:
    if overrides.get("snapshot_date") == "future":
        overrides = {"snapshot_date": (today() + timedelta(days=1)).isoformat()}
    count = await log_count(system, api.kab, api.kec)
    resp = await api.post("/households", {**household_body(api.kec, api.desa[0]), **overrides})
    error = assert_error(resp, 422, "INVALID", field_name)
    assert "nik" not in overrides or overrides["nik"] not in str(error)
    assert await log_count(system, api.kab, api.kec) == count


@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("POST", "/aid"), ("DELETE", "")])
@pytest.mark.parametrize("ident", [UNKNOWN, "not-a-uuid"])
async def test_an_unknown_household_is_not_found(
    api: Api, method: str, suffix: str, ident: str
) -> None:
    body = {"aid": [], "as_of": today().isoformat()} if method == "POST" else None
    resp = await api.client.request(method, api.url(f"/households/{ident}{suffix}"), json=body)
    assert_error(resp, 404, "NOT_FOUND")


def csv_text(rows: list[dict[str, Any]], sep: str = ",", bom: bool = False) -> str:
    lines = [sep.join(COLUMNS)]
    for row in rows:
        values = {**row, "aid": "|".join(row["aid"])}
        lines.append(sep.join(str(values[c]) for c in COLUMNS))
    return ("\ufeff" if bom else "") + "\n".join(lines) + "\n"


async def test_import_raw_csv_with_a_bom_and_semicolons(api: Api, system: System) -> None:
    good = [household_body(api.kec, api.desa[i % 3], aid=["PBI_JK", "OTHER"]) for i in range(3)]
    bad_desil = household_body(api.kec, api.desa[0], desil=12)
    rows = [good[0], good[1], bad_desil, good[1], good[2]]
    text = csv_text(rows, sep=";", bom=True)
    resp = await api.client.post(
        api.url("/households/import"), content=text.encode(), headers={"content-type": "text/csv"}
    )
    body = assert_write(resp, "accepted", "rejected", status=201)
    assert body["accepted"] == 3
    assert [(r["line"], r["field"]) for r in body["rejected"]][:1] == [(4, "desil")]
    assert [r["line"] for r in body["rejected"]] == [4, 5]
    assert all(r["reason"] for r in body["rejected"])
    for row in rows:
        assert_no_clear_data(resp.text, row)
    assert await log_count(system, api.kab, api.kec) >= 4


async def test_import_a_multipart_file(api: Api) -> None:
    rows = [household_body(api.kec, api.desa[2]) for _ in range(2)]
    files = {"file": ("dtsen.csv", csv_text(rows).encode(), "text/csv")}
    resp = await api.client.post(api.url("/households/import"), files=files)
    body = assert_write(resp, status=201)
    assert body["accepted"] == 2
    assert body["rejected"] == []
    again = await api.client.post(api.url("/households/import"), files=files)
    repeated = assert_write(again, status=200)
    assert repeated["accepted"] == 0
    assert {r["line"] for r in repeated["rejected"]} == {2, 3}


async def test_import_without_a_file_is_refused(api: Api) -> None:
    resp = await api.client.post(api.url("/households/import"), files={"other": ("x", b"a")})
    assert_error(resp, 422, "INVALID", "file")


async def test_an_import_line_too_long_to_read_is_rejected_alone(api: Api) -> None:
    good = household_body(api.kec, api.desa[0])
    long_line = {**household_body(api.kec, api.desa[0]), "address": "x" * 200_000}
    text = csv_text([long_line, good])
    resp = await api.client.post(
        api.url("/households/import"), content=text.encode(), headers={"content-type": "text/csv"}
    )
    body = assert_write(resp, status=201)
    assert body["accepted"] == 1
    assert [r["line"] for r in body["rejected"]] == [2]


# -- households v2: PATCH, members, aid lists (CONTRACT.md, Additions (v2)) --------------


async def patch(api: Api, household_id: str, body: Any, **kw: Any) -> Any:
    return await api.client.patch(api.url(f"/households/{household_id}"), json=body, **kw)


async def test_patch_changes_only_the_fields_given_and_answers_the_masked_household(
    api: Api, system: System
) -> None:
    body = household_body(api.kec, api.desa[0], registry="DTKS", desil=4)
    household_id = (await api.register(**body))["household_id"]
    changed = assert_write(await patch(api, household_id, {"desa": api.desa[1], "desil": 1}))
    assert {k: changed[k] for k in ("household_id", "desa", "desil", "forgotten")} == {
        "household_id": household_id,
        "desa": api.desa[1],
        "desil": 1,
        "forgotten": False,
    }
    assert set(changed) == {
        *("household_id", "name_masked", "nik_masked", "desa", "desil", "aid", "eligible"),
        *("forgotten", "position"),
    }
    up = assert_write(await patch(api, household_id, {"registry": "DTSEN", "name": "Siti Aminah"}))
    assert up["name_masked"] == "S*** A*****"
    assert_no_clear_data(up["name_masked"], body | {"name": "Siti Aminah"})
    before = await log_count(system, api.kab, api.kec)
    assert_error(await patch(api, household_id, {"registry": "DTKS"}), 409, "REGISTRY_DOWNGRADE")
    other = "98" if api.kec[4:] == "99" else "99"  # a kecamatan of the kabupaten not this one
    outside = f"{api.kec[:2]}.{api.kec[2:4]}.{other}.2001"
    assert_error(await patch(api, household_id, {"desa": outside}), 422, "INVALID", "desa")
    assert_error(await patch(api, household_id, {"desil": True}), 422, "INVALID", "desil")
    assert_error(await patch(api, UNKNOWN, {"desil": 2}), 404, "NOT_FOUND")
    assert await log_count(system, api.kab, api.kec) == before
    await api.client.delete(api.url(f"/households/{household_id}"))
    assert_error(await patch(api, household_id, {"desil": 2}), 409, "HOUSEHOLD_FORGOTTEN")


async def test_a_member_nik_is_unique_across_the_kabupaten(api: Api) -> None:
    member = {"nik": household_body(api.kec, api.desa[0])["nik"], "name": "Parmi"}
    first = await api.register(members=[member])
    again = await api.post("/households", household_body(api.kec, api.desa[0], members=[member]))
    error = assert_error(again, 409, "DUPLICATE_HOUSEHOLD")
    assert error["household_id"] == first["household_id"]
    as_head = await api.post("/households", household_body(api.kec, api.desa[0], nik=member["nik"]))
    assert (
        assert_error(as_head, 409, "DUPLICATE_HOUSEHOLD")["household_id"] == first["household_id"]
    )
    other = (await api.register())["household_id"]
    added = await patch(api, other, {"members": [member]})
    assert assert_error(added, 409, "DUPLICATE_HOUSEHOLD")["household_id"] == first["household_id"]
    assert member["nik"] not in again.text + as_head.text + added.text


async def test_an_aid_list_marks_head_and_member_niks_and_counts_the_rest(
    api: Api, system: System
) -> None:
    member = {"nik": household_body(api.kec, api.desa[0])["nik"], "name": "Parmi"}
    head = household_body(api.kec, api.desa[0])
    one = (await api.register(**head))["household_id"]
    two = (await api.register(members=[member]))["household_id"]
    stranger = household_body(api.kec, api.desa[0])["nik"]
    text = f"NIK\n{head['nik']}\n{member['nik']}\n{stranger}\n123\n"
    query = {"program": "BPNT", "as_of": today().isoformat(), "source": "SK Dinsos 3/2025"}
    url = api.url("/households/aid-import")
    sent = await api.client.post(
        url, params=query, content=text.encode(), headers={"content-type": "text/csv"}
    )
    answer = assert_write(sent, "matched", "unmatched", "rejected", status=201)
    assert (answer["matched"], answer["unmatched"]) == (2, 1)
    assert [(r["line"], r["field"]) for r in answer["rejected"]] == [(5, "nik")]
    for household_id in (one, two):
        got = await api.get(f"/households/{household_id}", params={"wait_for": answer["position"]})
        assert (got.json()["aid"], got.json()["eligible"]) == (["BPNT"], False)
    before = await log_count(system, api.kab, api.kec)
    for field_name, value in (("program", "OTHER"), ("source", ""), ("as_of", "kemarin")):
        bad = await api.client.post(
            url,
            params=query | {field_name: value},
            content=text.encode(),
            headers={"content-type": "text/csv"},
        )
        assert_error(bad, 422, "INVALID", field_name)
    files = {"file": ("pkh.csv", text.encode(), "text/csv")}
    multipart = await api.client.post(url, params=query | {"program": "PKH"}, files=files)
    assert assert_write(multipart, status=201)["matched"] == 2
    assert await log_count(system, api.kab, api.kec) == before + 2
    assert stranger not in sent.text + multipart.text


async def test_the_import_reads_siks_ng_headers_and_members(api: Api) -> None:
    body = household_body(api.kec, api.desa[0])
    member = household_body(api.kec, api.desa[0])["nik"]
    text = (
        "NOKK;NIK;NAMA_KRT;KODE_DESA;ALAMAT;DESIL;SUMBER_DATA;TGL_SNAPSHOT;ANGGOTA\n"
        f"{body['no_kk']};{body['nik']};{body['name']};{body['desa']};{body['address']};2;DTSEN;"
        f"{body['snapshot_date']};{member}:Parmi\n"
    )
    sent = await api.client.post(
        api.url("/households/import"), content=text.encode(), headers={"content-type": "text/csv"}
    )
    assert assert_write(sent, status=201)["accepted"] == 1
    again = await api.post("/households", household_body(api.kec, api.desa[0], nik=member))
    assert_error(again, 409, "DUPLICATE_HOUSEHOLD")
