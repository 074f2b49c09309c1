"""The API's one page size rule: at most ``MAX_LIMIT`` rows per answer.

A client may ask for fewer rows with ``?limit=``, never for more: a larger
value is clamped, so one request cannot copy every guest's passport data at
once or make the server build a huge answer. ``page_size`` is not a parameter
here and is ignored. ``limit=0`` gives the default page (``PAGE_SIZE``).
A ``limit`` or ``offset`` that is not a whole number from 0 to 2**63 - 1 is
a 400 naming the parameter (a larger one would overflow the database's
64-bit integers).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

MAX_LIMIT = 200
MAX_BIGINT = 2**63 - 1


class CappedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def get_limit(self, request) -> int:
        if self.limit_query_param not in request.query_params:
            return self.default_limit
        limit = self._whole_number(request, self.limit_query_param)
        return min(limit, self.max_limit) if limit else self.default_limit

    def get_offset(self, request) -> int:
        if self.offset_query_param not in request.query_params:
            return 0
        return self._whole_number(request, self.offset_query_param)

    def _whole_number(self, request, name: str) -> int:
        text = request.query_params[name]
        # At most 19 digits before int(): 5,000 nines are a 400, not a
        # ValueError from Python's digit limit.
        whole = text.isascii() and text.isdigit() and len(text) <= 19
        if not whole or int(text) > MAX_BIGINT:
            message = _("A whole number from 0 to %(max)s is required.")
            raise ValidationError({name: [message % {"max": MAX_BIGINT}]})
        return int(text)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(minimum=0, maximum=MAX_BIGINT)
        return parameters
