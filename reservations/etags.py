"""Versions of a guest profile for optimistic concurrency (issue 10).

A profile's version is a hash of its API representation (person, documents,
visas, migration card): it changes exactly when anything a reader sees
changes, whoever wrote it — staff, the API, EMIS, the name policy — so no
writer can forget to bump a counter. ``GET /api/v1/persons/{id}/`` sends it
as a strong ``ETag``; ``PATCH`` with ``If-Match`` and the guest card's save
check it (RFC 9110 §13.1.1).
"""

from __future__ import annotations

import hashlib
import json

from .models import Person
from .serializers import PersonSerializer


def person_etag(person: Person) -> str:
    """The strong entity tag of ``person`` as stored (with its documents,
    visas and migration card loaded or prefetched)."""
    shown = PersonSerializer(person, context={"for_etag": True}).data
    data = json.dumps(shown, sort_keys=True, default=str, ensure_ascii=False)
    return '"' + hashlib.sha256(data.encode()).hexdigest()[:32] + '"'


def if_match_allows(header: str | None, etag: str) -> bool:
    """Whether an ``If-Match`` header lets a write through: no header, ``*``,
    or a list holding ``etag``. If-Match uses the strong comparison, so a
    weak tag (``W/"…"``) never matches."""
    if header is None:
        return True
    tags = [tag.strip() for tag in header.split(",")]
    return "*" in tags or etag in tags
