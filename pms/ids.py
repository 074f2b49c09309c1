"""A row's ID wherever a request names one: 1 to 2**63 - 1, ASCII digits.

The same rule for a path (the ``id`` converter, registered in
``pms/apps.py`` and used as ``<id:person_id>`` in every ``urls.py``) and for
a query or form field (``parse_id``). A number no row can have never
reaches a query: past 64 bits the database driver overflows (a 500), and
``int()`` reads " 7", "-1" and "١٢" too.
"""

from __future__ import annotations

import re

from django.http import Http404

from .pagination import MAX_QUERY_INT

# 19 digits hold every ID; more is no ID (and int() of 5,000 digits raises).
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value: object) -> int | None:
    """``value`` (a string from a path, query or form) as an ID, or None
    when it is none: empty, not ASCII digits, 0, or past 2**63 - 1."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_QUERY_INT else None


def id_or_404(value: object) -> int:
    """``parse_id`` for an ID the request must name: a 404 otherwise."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


class IdConverter:
    """``<id:name>`` in a URL pattern: anything but an ID matches no path,
    so the answer is the resolver's 404 (JSON under /api/)."""

    regex = _DIGITS.pattern

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(value)
