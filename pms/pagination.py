"""The API's one page size rule: at most ``MAX_LIMIT`` rows per answer.

A client may ask for fewer rows with ``?limit=``, never for more: a larger
value is clamped, so one request cannot copy every guest's passport data at
once or make the server build a huge answer. ``page_size`` is not a parameter
here and is ignored.

``limit`` (1 or more) and ``offset`` (0 or more) are whole numbers in ASCII
digits up to 2**63 - 1; anything else — a word, a negative number, "1.5",
"²", a value past 64 bits — is a 400 naming the parameter
(``{"limit": ["…"]}``), never a silent default page nor a 500. Empty is the
same as not given.
"""

from __future__ import annotations

import re

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

MAX_LIMIT = 200
# What a database's OFFSET (a signed 64-bit integer) takes.
MAX_QUERY_INT = 2**63 - 1
# ASCII only: int() also reads "١٢" and " 7".
_INTEGER = re.compile(r"-?[0-9]+")


def query_int(request, name: str, *, min_value: int, default: int) -> int:
    """The query parameter ``name`` as an int from ``min_value`` to
    ``MAX_QUERY_INT``; ``default`` when absent or empty; else a 400 naming
    it, in DRF's words for an integer field."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    field = serializers.IntegerField(min_value=min_value, max_value=MAX_QUERY_INT)
    try:
        if not _INTEGER.fullmatch(raw):
            field.fail("invalid")
        return field.run_validation(raw)
    except ValidationError as exc:
        raise ValidationError({name: exc.detail}) from None


class CappedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request) -> int:
        asked = query_int(
            request, self.limit_query_param, min_value=1, default=self.default_limit
        )
        return min(asked, self.max_limit)

    def get_offset(self, request) -> int:
        # An offset past the rows is an empty page: DRF compares it with the
        # count and never sends it to the database.
        return query_int(request, self.offset_query_param, min_value=0, default=0)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        # The document states the bounds ``query_int`` enforces.
        parameters = super().get_schema_operation_parameters(view)
        lowest = {self.limit_query_param: 1, self.offset_query_param: 0}
        for parameter in parameters:
            parameter["schema"].update(
                minimum=lowest[parameter["name"]], maximum=MAX_QUERY_INT
            )
        return parameters
