"""A JSON body's values are taken at their JSON types, as the OpenAPI
document states them.

DRF's fields coerce: a string field takes ``0`` as ``"0"``, an integer field
``"5"``, a boolean ``"yes"`` or ``1``, a relation ``"5"`` for 5. The document
says ``string``, ``integer``, ``boolean``, and a client that sends another
type has a bug it should hear about, not a guess. So, for data that came as
JSON (a serializer's ``initial_data`` that is not a ``QueryDict``: query
strings and forms stay text and are still parsed), a value of the wrong JSON
type is refused with the field's own "invalid" message.

Also ``max_length`` counts the characters sent (DRF counts them after
trimming whitespace; the document's ``maxLength`` cannot).

And a whole number fits a 64-bit column: an ``IntegerField`` without its own
bounds takes -2**63 .. 2**63 - 1 (a larger one reached the database and was
an OverflowError, a 500), and a related row's ID (``PrimaryKeyRelatedField``)
is 1 .. 2**63 - 1 like an ID in a path. The bounds are the fields' own
``min_value``/``max_value``, so the document states them as ``minimum`` and
``maximum`` (pms/openapi.py adds the relations').

``connect()`` (from ``PmsConfig.ready``) wraps the fields' methods once: one
rule for every serializer, present and future.
"""

from __future__ import annotations

import re

from django.http import QueryDict
from rest_framework import fields, relations
from rest_framework.exceptions import ValidationError

from .pagination import MAX_QUERY_INT

_NUMBER = (int, float)
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# Field class → the JSON types its value may have. Subclasses (EmailField,
# URLField, SlugField are CharFields) inherit the rule; the first match wins.
_JSON_TYPES: list[tuple[type[fields.Field], tuple[type, ...]]] = [
    (fields.BooleanField, (bool,)),
    (fields.IntegerField, (int,)),
    (fields.FloatField, _NUMBER),
    (fields.DecimalField, (str,)),  # as documented: a number as a string
    (fields.CharField, (str,)),
    (fields.DateTimeField, (str,)),
    (fields.DateField, (str,)),
    (fields.TimeField, (str,)),
    (relations.PrimaryKeyRelatedField, (int,)),
]
# The message each refusal borrows (DRF's own, translated by DRF).
_MESSAGE_OF = {
    fields.BooleanField: fields.BooleanField.default_error_messages["invalid"],
    fields.IntegerField: fields.IntegerField.default_error_messages["invalid"],
    fields.FloatField: fields.FloatField.default_error_messages["invalid"],
    fields.DecimalField: fields.DecimalField.default_error_messages["invalid"],
    fields.CharField: fields.CharField.default_error_messages["invalid"],
}


def connect() -> None:
    for field_class, types in _JSON_TYPES:
        if not getattr(field_class.to_internal_value, "_json_strict", False):
            field_class.to_internal_value = _strict(
                field_class, field_class.to_internal_value, types
            )
    _wrap_once(fields.CharField, "run_validation", _raw_length)
    _wrap_once(fields.DateField, "to_internal_value", _iso_date, marker="_iso")
    _wrap_once(fields.IntegerField, "__init__", _bounded, marker="_bounded")
    _wrap_once(
        relations.PrimaryKeyRelatedField,
        "to_internal_value",
        _bounded_id,
        marker="_bounded",
    )
    _wrap_once(fields.ChoiceField, "to_internal_value", _strict_choice)


def _wrap_once(owner, name: str, wrap, *, marker: str = "_json_strict") -> None:
    """Replace ``owner.name`` by ``wrap(owner.name)`` unless done already
    (``connect`` may run twice: tests, a reloaded app registry)."""
    method = getattr(owner, name)
    if not getattr(method, marker, False):
        wrapped = wrap(method)
        # Both marks: the type check above looks for its own one.
        wrapped._json_strict = True
        setattr(wrapped, marker, True)
        setattr(owner, name, wrapped)


def _strict(field_class, to_internal_value, types: tuple[type, ...]):
    def wrapper(self, data):
        if _from_json(self) and not _is_a(data, types):
            if "incorrect_type" in self.error_messages:  # a relation's own
                self.fail("incorrect_type", data_type=type(data).__name__)
            raise ValidationError(_message(field_class), code="invalid")
        return to_internal_value(self, data)

    wrapper._json_strict = True  # type: ignore[attr-defined]
    return wrapper


def _bounded(init):
    """An integer field's default bounds: a 64-bit column's."""

    def wrapper(self, **kwargs):
        if kwargs.get("max_value") is None:
            kwargs["max_value"] = MAX_QUERY_INT
        if kwargs.get("min_value") is None:
            kwargs["min_value"] = -MAX_QUERY_INT - 1
        init(self, **kwargs)

    return wrapper


def _bounded_id(to_internal_value):
    """No row has an ID outside 1 .. 2**63 - 1: "does not exist", without
    asking the database (which cannot take a larger number)."""

    def wrapper(self, data):
        if _is_a(data, (int,)) and not 1 <= data <= MAX_QUERY_INT:
            self.fail("does_not_exist", pk_value=data)
        return to_internal_value(self, data)

    return wrapper


def _iso_date(to_internal_value):
    """A date is ``YYYY-MM-DD`` (the document's ``format: date``); Python's
    parser also takes "20260303" and week dates."""

    def wrapper(self, data):
        if isinstance(data, str) and _from_json(self) and not ISO_DATE.fullmatch(data):
            self.fail("invalid", format="YYYY-MM-DD")
        return to_internal_value(self, data)

    wrapper._json_strict = True  # type: ignore[attr-defined]
    return wrapper


def _raw_length(run_validation):
    """``max_length`` counts the characters sent, as ``maxLength`` does: DRF
    trims whitespace first, so 300 spaces passed a 200-character field."""

    def wrapper(self, data=fields.empty):
        limit = self.max_length
        too_long = isinstance(data, str) and limit is not None and len(data) > limit
        if too_long and _from_json(self):
            self.fail("max_length", max_length=self.max_length)
        return run_validation(self, data)

    wrapper._json_strict = True  # type: ignore[attr-defined]
    return wrapper


def _strict_choice(to_internal_value):
    """A choice is matched by its JSON type too: ``1`` is not ``"1"``."""

    def wrapper(self, data):
        if (
            _from_json(self)
            and data != ""
            and not any(type(choice) is type(data) for choice in self.choices)
        ):
            self.fail("invalid_choice", input=data)
        return to_internal_value(self, data)

    wrapper._json_strict = True  # type: ignore[attr-defined]
    return wrapper


def _is_a(value, types: tuple[type, ...]) -> bool:
    # bool is an int in Python, never in JSON.
    if isinstance(value, bool):
        return bool in types
    return isinstance(value, types)


def _from_json(field: fields.Field) -> bool:
    data = getattr(field.root, "initial_data", None)
    return data is not None and not isinstance(data, QueryDict)


def _message(field_class) -> str:
    for base in field_class.__mro__:
        if base in _MESSAGE_OF:
            return _MESSAGE_OF[base]
    return fields.Field.default_error_messages.get(
        "invalid", fields.CharField.default_error_messages["invalid"]
    )
