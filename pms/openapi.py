"""The API's conventions, written into the OpenAPI document in one place.

drf-spectacular documents what a view returns on success; these
postprocessing hooks add what every view can answer besides, so an
operation's list of statuses is complete without each view repeating it:

- ``document_errors``: the error answers (``ERRORS``) an operation can give,
  derived from what it takes: 401/403 when it needs a login and a role, 404
  when its path names a resource, 400 when it takes a body or query
  parameters, 415 when it takes a body. A status a view declares itself
  (409, 412, 429: ``extend_schema(responses={409: error_response("…")})``)
  keeps its description and gets the error schema if it has none.
- ``add_links``: OpenAPI ``links`` from each create to the read and the
  updates of what it created (``LINKS``), so a stateful client can follow
  create → read → update.

An endpoint added later gets its errors documented with nothing to do; a new
create/read pair adds one line to ``LINKS``.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import fields

ERROR_SCHEMA = "Error"
# Python's str.strip() whitespace, which DRF trims from a CharField's value.
_SPACE = "\\t\\n\\u000b\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
# Any text without NUL (DRF refuses it); with ``_SPACE`` also: not blank.
TEXT = "^[^\\u0000]*$"
NOT_BLANK_TEXT = f"^[^\\u0000]*[^\\u0000{_SPACE}][^\\u0000]*$"
VALIDATION_ERROR_SCHEMA = "ValidationError"

# Status → what it means in this API (``docs/api.md``, "Errors").
ERRORS: dict[str, str] = {
    "400": "Invalid request: the body or a query parameter breaks a rule. "
    "Field errors as ``{\"field\": [\"message\"]}`` (nested for nested "
    "fields, ``non_field_errors`` for the whole object); a body that is not "
    "JSON or a bad query parameter as ``{\"detail\"}``.",
    "401": "Not logged in, or the token is unknown or expired "
    "(``WWW-Authenticate: Token``).",
    "403": "Logged in, but the user's role may not do this.",
    "404": "No such resource (or the path is not one of the API's).",
    "415": "The body is not ``application/json``.",
}

_CONTENT_ERRORS = {"400"}  # their body may be the per-field shape
_WRITE_METHODS = {"post", "put", "patch"}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, plus the rules DRF's fields enforce without saying:
    a validator's own ``openapi_schema`` (a pattern for a check a function
    does, e.g. ``legal_entities.validators.validate_inn``), and for text no
    NUL and, where blank is refused, a non-space character (``minLength``)."""

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        for validator in field.validators:
            for key, value in getattr(validator, "openapi_schema", {}).items():
                schema.setdefault(key, value)
        if not isinstance(field, fields.CharField) or field.read_only:
            return
        if schema.get("type") != "string" or {"enum", "format"} & schema.keys():
            return
        if not field.allow_blank:
            schema["minLength"] = max(schema.get("minLength", 0), 1)
        if "pattern" not in schema:
            blank_refused = not field.allow_blank and field.trim_whitespace
            schema["pattern"] = NOT_BLANK_TEXT if blank_refused else TEXT


def error_response(description: str) -> OpenApiResponse:
    """A status a view declares itself (409, 412, 429...): its body is the
    API's ``{"detail", "code"?}`` error, added by ``document_errors``."""
    return OpenApiResponse(description=description)


def document_errors(result: dict, generator, request, public) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_SCHEMA] = _error_schema()
    schemas[VALIDATION_ERROR_SCHEMA] = _validation_error_schema()
    for _path, method, operation in _operations(result):
        responses = operation.setdefault("responses", {})
        for status in _error_statuses(method, operation):
            responses.setdefault(status, {"description": ERRORS[status]})
        for status, response in responses.items():
            if status.startswith(("4", "5")) and "content" not in response:
                response["content"] = _json(_schema_for(status))
    return result


def _error_statuses(method: str, operation: dict) -> list[str]:
    statuses = []
    query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
    if "requestBody" in operation or query:
        statuses.append("400")
    security = operation.get("security")
    if security and {} not in security:
        statuses += ["401", "403"]
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        statuses.append("404")
    if "requestBody" in operation and method in _WRITE_METHODS:
        statuses.append("415")
    return statuses


def _schema_for(status: str) -> dict:
    if status in _CONTENT_ERRORS:
        return {
            "oneOf": [
                _ref(VALIDATION_ERROR_SCHEMA),
                _ref(ERROR_SCHEMA),
            ]
        }
    return _ref(ERROR_SCHEMA)


def _error_schema() -> dict:
    return {
        "type": "object",
        "description": "Every error but a validation error: what went wrong, "
        "and for a refused state change (409) a machine-readable code.",
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string"},
        },
        "required": ["detail"],
    }


def _validation_error_schema() -> dict:
    messages = {"type": "array", "items": {"type": "string"}}
    return {
        "type": "object",
        "description": "Field → its messages; a nested field's errors nest "
        "(an object, or a list with one entry per item).",
        "minProperties": 1,
        "not": {"required": ["detail"]},
        "additionalProperties": {
            "oneOf": [
                messages,
                {"type": "object"},
                {"type": "array", "items": {"type": "object"}},
            ]
        },
    }


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _operations(result: dict):
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


# --- links ----------------------------------------------------------------------
# (operationId of a create, its answer's ID field) → the operations that take
# that ID, each as (operationId, its path parameter).
LINKS: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("v1_reservations_create", "id"): [
        ("v1_reservations_retrieve", "id"),
        ("v1_reservations_update", "id"),
        ("v1_reservations_partial_update", "id"),
        ("v1_reservations_guests_list", "reservation_id"),
        ("v1_reservations_guests_create", "reservation_id"),
    ],
    ("v1_legal_entities_create", "id"): [
        ("v1_legal_entities_retrieve", "id"),
        ("v1_legal_entities_update", "id"),
        ("v1_legal_entities_partial_update", "id"),
    ],
    ("v1_reservations_guests_create", "person_id"): [
        ("v1_persons_retrieve", "person_id"),
        ("v1_persons_partial_update", "person_id"),
        ("person_duplicates", "person_id"),
        ("emis_person_conflicts", "person_id"),
    ],
}


def add_links(result: dict, generator, request, public) -> dict:
    by_id = {op["operationId"]: op for _p, _m, op in _operations(result)}
    for (source_id, field), targets in LINKS.items():
        source = by_id.get(source_id)
        if source is None:
            continue
        created = next(s for s in source["responses"] if s.startswith("2"))
        links = source["responses"][created].setdefault("links", {})
        for target_id, parameter in targets:
            if target_id in by_id:
                links[_link_name(target_id)] = {
                    "operationId": target_id,
                    "parameters": {parameter: f"$response.body#/{field}"},
                }
    return result


def _link_name(operation_id: str) -> str:
    return "".join(part.capitalize() for part in operation_id.split("_"))

