"""The API's conventions, written into the OpenAPI document in one place.

``AutoSchema`` (the ``DEFAULT_SCHEMA_CLASS``) adds to each request field the
rules DRF enforces without saying (see its docstring). drf-spectacular
documents what a view returns on success; these postprocessing hooks add
what every view can answer besides, so an operation's list of statuses is
complete without each view repeating it:

- ``document_errors``: the error answers (``ERRORS``) an operation can give,
  derived from what it takes: 401/403 when it needs a login and a role, 404
  when its path names a resource, 400 when it takes a body or query
  parameters, 415 when it takes a body. A status a view declares itself
  (409, 412, 429: ``extend_schema(responses={409: error_response("…")})``)
  keeps its description and gets the error schema if it has none.
- ``add_links``: OpenAPI ``links`` from each create (and each list's first
  row) to the read and the updates of what it names (``LINKS``), so a
  stateful client can follow create → read → update.

An endpoint added later gets its errors documented with nothing to do; a new
create/read pair adds its lines to ``LINKS``. An operation on a person's ID
takes ``person_schema`` for ``extend_schema``: a merged ID's redirect.
"""

from __future__ import annotations

from collections.abc import Sequence

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import fields, relations

from .pagination import MAX_QUERY_INT

ERROR_SCHEMA = "Error"
VALIDATION_ERROR_SCHEMA = "ValidationError"
# Python's str.strip() whitespace, which DRF trims from a CharField's value.
_SPACE = (
    "\\t\\n\\u000b\\f\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680"
    "\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
# Any text without NUL (DRF refuses it); with ``_SPACE`` also: not blank.
TEXT = "^[^\\u0000]*$"
NOT_BLANK_TEXT = f"^[^\\u0000]*[^\\u0000{_SPACE}][^\\u0000]*$"

# Status → what it means in this API (``docs/api.md``, "Errors").
ERRORS: dict[str, str] = {
    "400": "Invalid request: the body or a query parameter breaks a rule. "
    'Field errors as ``{"field": ["message"]}`` (nested for nested '
    "fields, ``non_field_errors`` for the whole object); a body that is not "
    'JSON or a bad query parameter as ``{"detail"}``.',
    "401": "Not logged in, or the token is unknown or expired "
    "(``WWW-Authenticate: Token``).",
    "403": "Logged in, but the user's role may not do this.",
    "404": "No such resource (or the path is not one of the API's).",
    "415": "The body is not ``application/json``.",
}

_CONTENT_ERRORS = {"400"}  # their body may be the per-field shape
_WRITE_METHODS = {"post", "put", "patch"}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, plus the rules DRF's fields enforce without
    saying: a related row's ID is 1 .. 2**63 - 1, no NUL, not blank where blank is refused, and the pattern a
    validator function declares (``openapi_pattern``: e.g.
    ``legal_entities.validators.validate_inn``)."""

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        blank = {"type": "string", "maxLength": 0}
        if schema.get("oneOf", [None])[-1] == blank:
            # spectacular's "rule or blank": a rule that allows blank too
            # would make "" match both, which oneOf forbids.
            schema["anyOf"] = schema.pop("oneOf")
        if isinstance(field, fields.DecimalField) and schema.get("type") == "string":
            schema["pattern"] = _decimal_pattern(field)

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # What a client may send; answers are described as spectacular does
        # (COMPONENT_SPLIT_REQUEST keeps the two apart).
        if (
            direction == "request"
            and isinstance(field, relations.PrimaryKeyRelatedField)
            and schema.get("type") == "integer"
        ):
            # pms.strict_json refuses any other ID, as a path's.
            # (spectacular states the primary key column's range instead).
            schema.update(minimum=1, maximum=MAX_QUERY_INT)
        if direction == "request" and _is_text(field, schema):
            if not field.allow_blank:
                schema["minLength"] = max(schema.get("minLength", 0), 1)
            if "pattern" not in schema:
                schema["pattern"] = _text_pattern(field)
        return schema


def _is_text(field, schema: dict) -> bool:
    return (
        isinstance(field, fields.CharField)
        and not field.read_only
        and schema.get("type") == "string"
        and not {"enum", "format"} & schema.keys()
    )


def _decimal_pattern(field: fields.DecimalField) -> str:
    """The decimal strings DRF takes (spectacular's pattern allows a minus
    sign whatever ``min_value`` says, and "" or "."): at most
    ``decimal_places`` decimals, no sign when ``min_value >= 0``, and a
    ``max_value`` of 10, 100, 1000... stated exactly."""
    places = field.decimal_places
    whole = (field.max_digits or 20) - (places or 0)
    fraction = f"(?:\\.[0-9]{{0,{places}}})?" if places else ""
    number = f"(?:0*[0-9]{{1,{whole}}}{fraction}|0*\\.[0-9]{{1,{places}}})"
    maximum = field.max_value
    if maximum is not None and str(maximum).strip("0") == "1":
        digits = len(str(int(maximum))) - 1
        zeros = f"(?:\\.0{{0,{places}}})?" if places else ""
        number = (
            f"(?:0*(?:[0-9]{{1,{digits}}}{fraction}|{int(maximum)}{zeros})"
            f"|0*\\.[0-9]{{1,{places}}})"
        )
    unsigned = field.min_value is not None and field.min_value >= 0
    space = f"[{_SPACE}]*"
    return f"^{space}{'' if unsigned else '-?'}{number}{space}$"


def _text_pattern(field: fields.CharField) -> str:
    """What the field takes, as DRF checks it: a validator's own rule
    (``openapi_pattern``, unanchored) or any text without NUL; blank when
    allowed (DRF skips the validators then); around it the whitespace that
    DRF trims first."""
    rules = [getattr(v, "openapi_pattern", None) for v in field.validators]
    rule = next((r for r in rules if r), None)
    space = f"[{_SPACE}]*" if field.trim_whitespace else ""
    if rule is None:
        return NOT_BLANK_TEXT if not field.allow_blank and space else TEXT
    if field.allow_blank:
        rule = f"|{rule}"
    return f"^{space}(?:{rule}){space}$"


def error_response(description: str) -> OpenApiResponse:
    """A status a view declares itself (409, 412, 429...): its body is the
    API's ``{"detail", "code"?}`` error, added by ``document_errors``."""
    return OpenApiResponse(description=description)


_MERGED_PERSON = OpenApiParameter(
    "Location",
    location=OpenApiParameter.HEADER,
    response=[301, 308],
    description="The same URL for the person this one was merged into.",
)


def person_schema(*, moved: int, responses: dict, parameters: Sequence = (), **kwargs):
    """``extend_schema`` for an operation on a person's ID: a merged person's
    ID answers ``moved`` (301 for a read, 308 for a change) with the
    survivor's same URL in ``Location`` and ``{"detail", "person_id"}``
    (``reservations.api_aliases``)."""
    return extend_schema(
        parameters=[*parameters, _MERGED_PERSON],
        responses={
            **responses,
            moved: error_response("This person was merged into another."),
        },
        **kwargs,
    )


def document_errors(result: dict, generator, request, public) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_SCHEMA] = _error_schema()
    schemas[VALIDATION_ERROR_SCHEMA] = _validation_error_schema()
    for _path, method, operation in _operations(result):
        _bound_ids(operation)
        responses = operation.setdefault("responses", {})
        for status in _error_statuses(method, operation):
            responses.setdefault(status, {"description": ERRORS[status]})
        for status, response in responses.items():
            if status.startswith(("3", "4", "5")) and "content" not in response:
                response["content"] = _json(_schema_for(status))
    return result


def _bound_ids(operation: dict) -> None:
    """An ID in a path is a positive 64-bit integer (``pms.ids.IdConverter``:
    any other is a 404)."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter.get("in") == "path" and schema.get("type") == "integer":
            schema.setdefault("minimum", 1)
            schema.setdefault("maximum", MAX_QUERY_INT)


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
_ID = "$response.body#/id"
_FIRST = "$response.body#/results/0/id"  # a list's first row
_PERSON = "$response.body#/person_id"
_RESERVATION = "$request.path.reservation_id"
# operationId → the operations that take what its answer names, each with
# its parameters (and a part of its body) as OpenAPI runtime expressions.
LINKS: dict[str, list[tuple[str, dict[str, str], dict | None]]] = {
    "v1_legal_entities_create": [
        ("v1_legal_entities_retrieve", {"id": _ID}, None),
        ("v1_legal_entities_partial_update", {"id": _ID}, None),
        ("v1_reservations_create", {}, {"legal_entity": _ID}),
    ],
    "v1_legal_entities_list": [
        ("v1_legal_entities_retrieve", {"id": _FIRST}, None),
        ("v1_legal_entities_update", {"id": _FIRST}, None),
        ("v1_reservations_create", {}, {"legal_entity": _FIRST}),
    ],
    "v1_reservations_create": [
        ("v1_reservations_retrieve", {"id": _ID}, None),
        ("v1_reservations_update", {"id": _ID}, None),
        ("v1_reservations_partial_update", {"id": _ID}, None),
        ("v1_reservations_guests_list", {"reservation_id": _ID}, None),
        ("v1_reservations_guests_create", {"reservation_id": _ID}, None),
    ],
    "v1_reservations_list": [
        ("v1_reservations_retrieve", {"id": _FIRST}, None),
        ("v1_reservations_partial_update", {"id": _FIRST}, None),
        ("v1_reservations_guests_create", {"reservation_id": _FIRST}, None),
    ],
    "v1_reservations_guests_create": [
        *(
            (target, {"reservation_id": _RESERVATION, "stay_id": _ID}, None)
            for target in (
                "v1_reservations_guests_retrieve",
                "v1_reservations_guests_partial_update",
                "v1_reservations_guests_destroy",
            )
        ),
        ("v1_persons_retrieve", {"person_id": _PERSON}, None),
        ("v1_persons_partial_update", {"person_id": _PERSON}, None),
        ("person_duplicates", {"person_id": _PERSON}, None),
        ("emis_person_conflicts", {"person_id": _PERSON}, None),
    ],
}


def add_links(result: dict, generator, request, public) -> dict:
    by_id = {op["operationId"]: op for _p, _m, op in _operations(result)}
    for source_id, targets in LINKS.items():
        source = by_id.get(source_id)
        if source is None:
            continue
        answered = next(s for s in source["responses"] if s.startswith("2"))
        links = source["responses"][answered].setdefault("links", {})
        for target_id, parameters, body in targets:
            if target_id not in by_id:
                continue
            link: dict = {"operationId": target_id}
            if parameters:
                link["parameters"] = parameters
            if body:
                link["requestBody"] = body  # merged into the rest of the body
            links[_link_name(target_id)] = link
    return result


def _link_name(operation_id: str) -> str:
    return "".join(part.capitalize() for part in operation_id.split("_"))
