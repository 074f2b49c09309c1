"""The EMIS row's status lines on Разное → Стыковки about webhook refusals
(registered in ``EmisConfig.ready``), by kind: the last refused *signed*
deliveries one by one (EMIS's data, refused: a field, a guest, a legal
entity), then one line counting the requests refused without a valid
signature in the last 24 hours — a run of them is a wrong API password or
clock at EMIS, or someone else's requests — so a flood of those can never
hide EMIS's own refusals."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from integrations.registry import StatusLine

from .selectors import rejected_latest, unsigned_refusals
from .texts import refusal_line, unsigned_line
from .throttle import MINUTE, refusals_not_logged

SHOWN = 5
UNSIGNED_SPAN = dt.timedelta(hours=24)


def rejected_deliveries_status() -> list[StatusLine]:
    lines = [
        StatusLine(refusal_line(row), "warn") for row in rejected_latest(limit=SHOWN)
    ]
    since = timezone.now() - UNSIGNED_SPAN
    unsigned = unsigned_refusals(since=since)
    if unsigned.last is not None:
        not_logged = refusals_not_logged(since_minute=int(since.timestamp()) // MINUTE)
        lines.append(StatusLine(unsigned_line(unsigned, not_logged), "warn"))
    return lines
