"""The last rejected webhook deliveries as status lines of the EMIS row on
Разное → Стыковки (registered in ``EmisConfig.ready``). One query."""

from __future__ import annotations

from integrations.registry import StatusLine

from .selectors import rejected_latest
from .texts import refusal_line

SHOWN = 5


def rejected_deliveries_status() -> list[StatusLine]:
    return [
        StatusLine(refusal_line(row), "warn") for row in rejected_latest(limit=SHOWN)
    ]
