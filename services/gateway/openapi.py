"""The OpenAPI document of the public contract, generated from the operations' contracts."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from pydantic import BaseModel, Field, create_model
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from shared.contracts import Operation

REF = "#/components/schemas/{model}"
JSON = "application/json"
BEARER = "bearer"
ERRORS = {
    401: "No valid bearer token",
    403: "Outside the token's area, or a role that may not send this",
    404: "An unknown kecamatan, id or path",
    409: "Refused by a business rule or a conflict: `code` names it",
    422: "Bad input: `field` names it",
    503: "Not caught up to `wait_for` in time, or a service unavailable",
}
ERROR_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "description": "Every refusal: `message` in Bahasa Indonesia, `message_en` in English.",
        "properties": {"error": {"$ref": REF.format(model="ErrorDetail")}},
        "required": ["error"],
    },
    "ErrorDetail": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "examples": ["NOT_FOUND"]},
            "message": {"type": "string"},
            "message_en": {"type": "string"},
            "field": {"type": "string", "description": "The input a 422 is about"},
        },
        "required": ["code", "message", "message_en"],
        "additionalProperties": True,
    },
}
KAB = {"type": "string", "pattern": "^[0-9]{4}$", "examples": ["3520"]}
KEC = {"type": "string", "pattern": "^[0-9]{6}$", "examples": ["352005"]}
WAIT_FOR = {
    "name": "wait_for",
    "in": "query",
    "required": False,
    "description": "A log position to catch up to first (at most 10 s, else 503 NOT_CAUGHT_UP)",
    "schema": {"type": "integer", "minimum": 0},
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A repeat answers exactly the first answer (kept 7 days) and appends nothing",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}
CSV_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
    },
}
FILE_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "A JPEG, PNG or PDF file of at most 5 MiB",
                    }
                },
                "required": ["file"],
            }
        }
    },
}
SECURITY_SCHEMES = {
    BEARER: {"type": "http", "scheme": "bearer", "description": "A token from `smart token`"}
}


@cache
def written(reply: type[BaseModel]) -> type[BaseModel]:
    """A write's answer: its reply and the kabupaten log's `position` after it."""
    return create_model(
        f"{reply.__name__}Written",
        __base__=reply,
        __doc__=reply.__doc__,
        position=(int, Field(description="The kabupaten log's sequence after the write")),
    )


def answered(op: Operation) -> type[BaseModel]:
    return written(op.reply) if op.write else op.reply


def has_json_body(op: Operation) -> bool:
    return op.write and op.body == "json" and not op.message.takes_no_input()


def contract_models(ops: Iterable[Operation]) -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    """Every model a document names: bodies and queries as read, replies as written."""
    models: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {}
    for op in ops:
        if has_json_body(op) or op.query_fields():
            models[op.message, "validation"] = None
        models[answered(op), "serialization"] = None
    return list(models)


class Schemas:
    """The components of a set of operations: one schema per model, nested ones too."""

    def __init__(self, ops: Sequence[Operation]) -> None:
        refs, top = models_json_schema(contract_models(ops), ref_template=REF)
        self.refs = {key: dict(ref) for key, ref in refs.items()}
        self.components: dict[str, Any] = dict(top.get("$defs", {}))
        clash = set(self.components) & set(ERROR_SCHEMAS)
        if clash:
            raise ValueError(f"contract models named like the error schemas: {clash}")
        self.components.update(ERROR_SCHEMAS)

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return self.refs[model, mode]

    def of(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        name = self.ref(model, mode)["$ref"].rsplit("/", 1)[-1]
        return dict(self.components[name])


def not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema without its `null` branch and default (absent is None)."""
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(options) == 1:
        return {**options[0], **rest}
    return {**rest, "anyOf": options} if options else rest


def query_parameters(op: Operation, schemas: Schemas) -> list[dict[str, Any]]:
    if not op.query_fields():
        return []
    schema = schemas.of(op.message, "validation")
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": not_null(prop),
            **({"description": prop["description"]} if "description" in prop else {}),
        }
        for name, prop in schema.get("properties", {}).items()
        if name in op.query_fields()
    ]


def parameters(op: Operation, schemas: Schemas) -> list[dict[str, Any]]:
    found = [
        {"name": "kab", "in": "path", "required": True, "schema": KAB},
        {"name": "kec", "in": "path", "required": True, "schema": KEC},
    ]
    if op.has_id:
        found.append({"name": "id", "in": "path", "required": True, "schema": {"type": "string"}})
    found += [*query_parameters(op, schemas), WAIT_FOR]
    return [*found, IDEMPOTENCY_KEY] if op.write else found


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {JSON: {"schema": schema}}


def responses(op: Operation, schemas: Schemas) -> dict[str, Any]:
    success = json_content(schemas.ref(answered(op), "serialization"))
    found = {str(op.status): {"description": status_words(op, op.status), "content": success}}
    if op.also is not None:
        found[str(op.also)] = {"description": status_words(op, op.also), "content": success}
    error = json_content({"$ref": REF.format(model="Error")})
    found.update({str(s): {"description": why, "content": error} for s, why in ERRORS.items()})
    return found


def status_words(op: Operation, status: int) -> str:
    if status == 201:
        return "Created"
    return "Not created: it was there already (updated, or as it was)" if op.also else "OK"


def operation_item(op: Operation, schemas: Schemas) -> dict[str, Any]:
    item: dict[str, Any] = {
        "tags": [op.service],
        "summary": op.summary,
        "operationId": op.operation_id,
        "description": inspect.cleandoc(op.message.__doc__ or op.summary),
        "security": [{BEARER: []}],
        "parameters": parameters(op, schemas),
    }
    if has_json_body(op):
        body = json_content(schemas.ref(op.message, "validation"))
        item["requestBody"] = {"required": True, "content": body}
    elif op.body == "csv":
        item["requestBody"] = CSV_BODY
    elif op.body == "file":
        item["requestBody"] = FILE_BODY
    item["responses"] = responses(op, schemas)
    return item


def contract_document(ops: Sequence[Operation], base: str) -> dict[str, Any]:
    """The paths and components of `ops`, each path under `base`."""
    schemas = Schemas(ops)
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(base + op.path, {})[op.method.lower()] = operation_item(op, schemas)
    components = {"schemas": schemas.components, "securitySchemes": SECURITY_SCHEMES}
    return {"paths": paths, "components": components}


def with_contract(doc: dict[str, Any], ops: Sequence[Operation], base: str) -> dict[str, Any]:
    """FastAPI's document of the other routes (health, documents) and the contract's paths."""
    contract = contract_document(ops, base)
    components = doc.setdefault("components", {})
    for key, values in contract["components"].items():
        components.setdefault(key, {}).update(values)
    return {**doc, "paths": {**contract["paths"], **doc.get("paths", {})}}
