"""The API's JSON parser: DRF's own, with a limit on nesting.

``[[[[…`` a hundred thousand levels deep makes the JSON decoder raise
RecursionError, which DRF does not catch: a 500 on every endpoint, the
anonymous token endpoint included. No request of this API nests more than a
few levels, so anything deeper than ``MAX_DEPTH`` is a 400 like any other
malformed JSON (``{"detail": "JSON parse error - …"}``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64


def too_deep(data: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``data`` nests objects and arrays more than ``limit`` levels
    (a scalar is level 0, ``[]`` level 1). Iterative: no recursion to blow."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend(
            (child, depth + 1) for child in children if isinstance(child, dict | list)
        )
    return False


class DepthLimitedJSONParser(JSONParser):
    max_depth = MAX_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # deeper than the decoder itself can go
            raise self._too_deep() from None
        if too_deep(data, self.max_depth):
            raise self._too_deep()
        return data

    def _too_deep(self) -> ParseError:
        return ParseError(
            gettext("JSON parse error - nested deeper than %(limit)d levels.")
            % {"limit": self.max_depth}
        )
