"""Reads of the integrations framework."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max

from .models import ConnectorCall


@dataclass(frozen=True)
class CallSummary:
    last_success_at: dt.datetime | None = None
    last_error_at: dt.datetime | None = None
    last_error_code: str = ""
    last_error_message: str = ""


def connector_call_summary(*, slugs: list[str]) -> dict[str, CallSummary]:
    """Last success time and last failure of each connector: two queries
    whatever the number of connectors (the index covers connector, ok)."""
    calls = ConnectorCall.objects.filter(connector__in=slugs)
    last_ok = dict(
        calls.filter(ok=True)
        .values("connector")
        .annotate(at=Max("created_at"))
        .values_list("connector", "at")
    )
    last_failed_ids = (
        calls.filter(ok=False)
        .values("connector")
        .annotate(last=Max("id"))
        .values("last")
    )
    failures = {
        row.connector: row
        for row in ConnectorCall.objects.filter(id__in=last_failed_ids).only(
            "connector", "created_at", "error_code", "error_message"
        )
    }
    summary = {}
    for slug in slugs:
        failed = failures.get(slug)
        summary[slug] = CallSummary(
            last_success_at=last_ok.get(slug),
            last_error_at=failed.created_at if failed else None,
            last_error_code=failed.error_code if failed else "",
            last_error_message=failed.error_message if failed else "",
        )
    return summary
