"""STUB for branch h11b only — the integrator replaces this file with
h11a's access log (``record_access`` writing an append-only row).

The export view calls ``record_access(..., kind="export")`` exactly as it
will call the real one; until then a read is only logged (IDs, never a
value)."""

from __future__ import annotations

import logging

from django.http import HttpRequest

log = logging.getLogger("personal_data.access_log")


def record_access(*, request: HttpRequest, person_id: int, kind: str) -> None:
    log.info(
        "personal data read: user=%s person_id=%s kind=%s",
        getattr(request.user, "pk", None),
        person_id,
        kind,
    )
