"""Versions of a guest profile for optimistic concurrency (issue 10).

A profile's version is a hash of what its API representation shows (person,
documents, visas, migration card): it changes exactly when anything a reader
sees changes, whoever wrote it — staff, the API, EMIS, the name policy — so no
writer can forget to bump a counter. ``GET /api/v1/persons/{id}/`` sends it
as a strong ``ETag``; ``PATCH`` with ``If-Match`` and the guest card's save
check it (RFC 9110 §13.1.1).

The hash reads the stored values of the attributes the serializers show
(their fields' sources, listed once), not the serializers' output: the
same values, full document numbers included, at a fraction of the cost of
a DRF serialization on every guest card (~4 ms, docs/benchmarks.md).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from rest_framework import serializers

from .models import Person
from .serializers import (
    DocumentSerializer,
    MigrationCardSerializer,
    PersonSerializer,
    VisaSerializer,
)


@cache
def _shown(serializer_class: type[serializers.Serializer]) -> tuple[str, ...]:
    """The model attributes ``serializer_class`` shows, in its order: a
    nested ``source="*"`` serializer's (the names' scripts) inlined, a
    nested record list left to ``person_etag``."""
    names: list[str] = []
    for field in serializer_class().fields.values():
        if not isinstance(field, serializers.BaseSerializer):
            names.append(field.source)
        elif field.source == "*":
            names += [inner.source for inner in field.fields.values()]
    return tuple(names)


def _values(obj, serializer_class) -> list:
    return [getattr(obj, name) for name in _shown(serializer_class)]


def person_etag(person: Person) -> str:
    """The strong entity tag of ``person`` as stored (with its documents,
    visas and migration card loaded or prefetched)."""
    card = getattr(person, "migration_card", None)  # reverse one-to-one
    shown = [
        _values(person, PersonSerializer),
        [_values(doc, DocumentSerializer) for doc in person.documents.all()],
        [_values(visa, VisaSerializer) for visa in person.visas.all()],
        _values(card, MigrationCardSerializer) if card is not None else None,
    ]
    data = json.dumps(shown, default=str, ensure_ascii=False)
    return '"' + hashlib.sha256(data.encode()).hexdigest()[:32] + '"'


def if_match_allows(header: str | None, etag: str) -> bool:
    """Whether an ``If-Match`` header lets a write through: no header, ``*``,
    or a list holding ``etag``. If-Match uses the strong comparison, so a
    weak tag (``W/"…"``) never matches."""
    if header is None:
        return True
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or etag in tags
