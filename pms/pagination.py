"""The API's one page size rule: at most ``MAX_LIMIT`` rows per answer.

A client may ask for fewer rows with ``?limit=``, never for more: a larger
value is clamped, so one request cannot copy every guest's passport data at
once or make the server build a huge answer. ``page_size`` is not a parameter
here and is ignored. A ``limit`` that is negative, zero or not a number
falls back to the default page (``PAGE_SIZE``).
"""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination

MAX_LIMIT = 200


class CappedLimitOffsetPagination(LimitOffsetPagination):
    # DRF clamps ``limit`` to ``max_limit`` before it reaches the database,
    # which also keeps a 64-bit overflow (limit=2**63) out of the SQL.
    max_limit = MAX_LIMIT
