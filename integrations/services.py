"""Writes of the integrations framework."""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction

from .models import ConnectorCall

logger = logging.getLogger("integrations")


def connector_call_record(
    *,
    connector: str,
    operation: str,
    ok: bool,
    http_status: int | None = None,
    error_code: str = "",
    error_message: str = "",
    duration_ms: int = 0,
    attempts: int = 1,
) -> ConnectorCall | None:
    """Leave the row the integrations page reads. Callers pass no secret, no
    ID and no body: only the operation and its classified outcome.

    A failure to write it is logged and swallowed, so the real outcome of the
    call (the answer or the EmisError) is what the caller sees; the savepoint
    keeps a surrounding transaction usable.
    """
    try:
        with transaction.atomic():
            return ConnectorCall.objects.create(
                connector=connector,
                operation=operation,
                ok=ok,
                http_status=http_status,
                error_code=error_code,
                error_message=error_message[:500],
                duration_ms=max(0, duration_ms),
                attempts=max(1, attempts),
            )
    except DatabaseError:
        logger.exception("could not record %s.%s call", connector, operation)
        return None
