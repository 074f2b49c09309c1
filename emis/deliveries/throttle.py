"""The rate limit of unsigned webhook refusals: per client address and
minute, counted in the database (``WebhookRefusals``), so every process
shares it and nothing lives in process memory.

Only requests refused *before* a signature could be verified count (401,
413, 403 while the integration is off). A signed delivery is never limited:
EMIS does not retry a 429, so limiting it would lose its data. Past the
limit the webhook answers 429 with ``Retry-After`` (the rest of the minute)
and logs only the first 429 of the minute, so a flood can neither fill the
delivery log nor push EMIS's own refusals out of sight.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from emis.models import WebhookRefusals

MINUTE = 60
_KEEP_MINUTES = 24 * 60  # the counts Стыковки sums


@dataclass(frozen=True)
class Refusal:
    count: int  # this one included, this minute, from this address
    limit: int
    retry_after: int  # seconds to the next minute

    @property
    def limited(self) -> bool:
        return self.count > self.limit

    @property
    def first_limited(self) -> bool:
        """The first request of the minute answered 429: logged."""
        return self.count == self.limit + 1


def refusal_count(*, client: str, now: float | None = None) -> Refusal:
    """Count one refusal for ``client``: one statement (an upsert that
    returns the new count), atomic under concurrent requests."""
    now = time.time() if now is None else now
    minute = int(now // MINUTE)
    qn = connection.ops.quote_name
    table = qn(WebhookRefusals._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({qn('client')}, {qn('minute')}, {qn('refused')}) "  # noqa: S608 (meta names)
        f"VALUES (%s, %s, 1) ON CONFLICT ({qn('client')}, {qn('minute')}) "
        f"DO UPDATE SET {qn('refused')} = {table}.{qn('refused')} + 1 "
        f"RETURNING {qn('refused')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [client[:45], minute])
        (count,) = cursor.fetchone()
    if count == 1:  # a new row: the moment to drop day-old ones
        WebhookRefusals.objects.filter(minute__lt=minute - _KEEP_MINUTES).delete()
    retry_after = max(1, MINUTE - int(now % MINUTE))
    return Refusal(count, settings.EMIS_WEBHOOK_REFUSALS_PER_MINUTE, retry_after)


def refusals_not_logged(*, since_minute: int) -> int:
    """Requests answered 429 and not logged since ``since_minute``."""
    limit = settings.EMIS_WEBHOOK_REFUSALS_PER_MINUTE
    rows = WebhookRefusals.objects.filter(
        minute__gte=since_minute, refused__gt=limit + 1
    )
    return sum(
        refused - limit - 1 for refused in rows.values_list("refused", flat=True)
    )
