"""The gateway's OpenAPI document, generated from the contracts: valid, complete, typed."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from nats.aio.client import Client as NATS
from openapi_spec_validator import validate

from services.gateway.app import create_app
from services.gateway.documents.api import OPERATION_IDS
from services.gateway.routes import BASE
from services.gateway.summary import SUMMARY
from shared.contracts import Operation, operations
from shared.contracts.kabupaten import SUMMARY as KABUPATEN_SUMMARY

pytestmark = pytest.mark.unit

ERROR_STATUSES = ("401", "403", "404", "409", "422", "503")
ERROR_REF = {"$ref": "#/components/schemas/Error"}
OWN_ROUTES = {"health", "asyncapi", *OPERATION_IDS, KABUPATEN_SUMMARY.operation_id}
CLIENT = "smart_client"


@cache
def document() -> dict[str, Any]:
    """The document the app serves, built from its routes (the NATS client never connects)."""
    return create_app(NATS(), "unit-secret").openapi()


def every_operation() -> tuple[Operation, ...]:
    return (*operations(), SUMMARY)


def item(op: Operation) -> dict[str, Any]:
    return dict(document()["paths"][BASE + op.path][op.method.lower()])


def component(ref: dict[str, Any]) -> dict[str, Any]:
    name = ref["$ref"].removeprefix("#/components/schemas/")
    return dict(document()["components"]["schemas"][name])


def test_the_document_is_valid_openapi() -> None:
    validate(document())


def test_every_operation_id_is_the_contracts_and_none_is_fastapis() -> None:
    ids = [
        operation["operationId"]
        for path in document()["paths"].values()
        for operation in path.values()
    ]
    assert sorted(ids) == sorted([op.operation_id for op in every_operation()] + [*OWN_ROUTES])
    assert not [i for i in ids if i.endswith(("_get", "_post", "_put", "_delete"))]


@pytest.mark.parametrize("op", every_operation(), ids=lambda op: op.operation_id)
def test_each_operation_answers_its_statuses_with_named_schemas(op: Operation) -> None:
    responses = item(op)["responses"]
    successes = {str(op.status)} | ({str(op.also)} if op.also else set())
    assert set(responses) == successes | set(ERROR_STATUSES)
    for status in successes:
        schema = responses[status]["content"]["application/json"]["schema"]
        assert component(schema)["type"] == "object"
        if op.write:
            assert component(schema)["properties"]["position"]["type"] == "integer"
            assert "position" in component(schema)["required"]
    for status in ERROR_STATUSES:
        assert responses[status]["content"]["application/json"]["schema"] == ERROR_REF


@pytest.mark.parametrize("op", every_operation(), ids=lambda op: op.operation_id)
def test_each_operation_takes_its_parameters_and_body(op: Operation) -> None:
    operation = item(op)
    names = {p["name"] for p in operation["parameters"]}
    assert {"kab", "kec", "wait_for", *op.query_fields()} <= names
    assert ("id" in names) == op.has_id
    assert ("Idempotency-Key" in names) == op.write
    assert operation["security"] == [{"bearer": []}]
    body = operation.get("requestBody", {}).get("content", {})
    if op.write and op.body == "json" and not op.message.takes_no_input():
        assert set(component(body["application/json"]["schema"])["properties"]) == set(
            op.message.model_fields
        )
    elif op.body == "csv":
        assert set(body) == {"text/csv", "multipart/form-data"}
        assert "file" in body["multipart/form-data"]["schema"]["properties"]
    elif op.body == "file":
        assert set(body) == {"multipart/form-data"}
        assert body["multipart/form-data"]["schema"]["required"] == ["file"]
    else:
        assert body == {}


def test_the_components_name_nested_models_and_the_error_shape() -> None:
    text = json.dumps(document())
    assert "$defs" not in text
    schemas = document()["components"]["schemas"]
    assert schemas["ErrorDetail"]["required"] == ["code", "message", "message_en"]
    assert "field" in schemas["ErrorDetail"]["properties"]
    put = item(next(op for op in operations() if op.operation_id == "putKecamatan"))
    desa = component(put["requestBody"]["content"]["application/json"]["schema"])["properties"]
    assert desa["desa"]["items"]["$ref"].startswith("#/components/schemas/")
    schemes = document()["components"]["securitySchemes"]
    assert [(s["type"], s["scheme"]) for s in schemes.values()] == [("http", "bearer")]


def generated_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The typed client openapi-python-client writes for the document, imported."""
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document()))
    generator = shutil.which("openapi-python-client")
    assert generator is not None
    command = [generator, "generate", "--path", str(spec), "--meta", "none"]
    output = ["--output-path", str(tmp_path / CLIENT)]
    subprocess.run([*command, *output], check=True, capture_output=True, timeout=100)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == CLIENT or m.startswith(f"{CLIENT}.")]:
        monkeypatch.delitem(sys.modules, name)
    return importlib.import_module(f"{CLIENT}.api.donations.receive_donation")


def test_a_generated_client_parses_answers_into_typed_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receive = generated_client(tmp_path, monkeypatch)
    models = importlib.import_module(f"{CLIENT}.models")
    client = importlib.import_module(CLIENT).Client(base_url="http://gateway.invalid")
    created = httpx.Response(201, json={"donation_id": "d-1", "receipt_no": 7, "position": 12})
    receipt = receive._parse_response(client=client, response=created)
    assert isinstance(receipt, models.DonationReceiptWritten)
    assert (receipt.receipt_no, receipt.position) == (7, 12)
    bad = {"code": "INVALID", "message": "x", "message_en": "x", "field": "amount_idr"}
    refused = receive._parse_response(
        client=client, response=httpx.Response(422, json={"error": bad})
    )
    assert isinstance(refused, models.Error)
    assert (refused.error.code, refused.error.field) == ("INVALID", "amount_idr")
