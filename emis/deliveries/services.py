"""Writes of the delivery log (``EmisDelivery``): a row per webhook request,
and pruning old rows."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Required, TypedDict, Unpack

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from emis import bulk_sql
from emis.models import EmisDelivery
from emis.payload import FieldError

log = logging.getLogger("emis.deliveries")

# A payload can break hundreds of fields at once (50 visas × every field);
# the first ones tell EMIS support what is wrong.
MAX_FIELDS = 50
_PRUNE_BATCH = 5000


class Delivery(TypedDict, total=False):
    """A delivery log row's values as the webhook knows them: IDs and the
    outcome, never a value from the body. Those left out take the model's
    defaults (no error code, no IDs, not signed)."""

    delivery_id: Required[str]
    status: Required[str]
    http_status: Required[int]
    error_code: str
    person_id: int | None
    legal_entity_id: int | None
    version: int | None
    signed: bool


def delivery_record(
    *, fields: Sequence[FieldError] = (), **values: Unpack[Delivery]
) -> None:
    """Log one delivery, with the first bad fields' paths and reasons."""
    bad_fields = [f.as_dict() for f in fields[:MAX_FIELDS]]
    bulk_sql.insert_one(EmisDelivery(bad_fields=bad_fields, **values))


def delivery_record_refusal(
    *, fields: Sequence[FieldError] = (), **values: Unpack[Delivery]
) -> None:
    """Log a delivery that was refused or failed, after its transaction
    rolled back. A log the database cannot take must not turn the answer
    EMIS gets into a 500."""
    try:
        delivery_record(fields=fields, **values)
    except DatabaseError:
        log.exception(
            "delivery=%s not logged (status=%s)",
            values.get("delivery_id") or "-",
            values.get("http_status"),
        )


def deliveries_prune(*, days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete log rows older than ``days`` (``EMIS_DELIVERY_LOG_DAYS``; 0
    keeps everything). In batches, so a large backlog never holds a long
    lock against the webhook's inserts. Returns how many were deleted."""
    days = settings.EMIS_DELIVERY_LOG_DAYS if days is None else days
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    old = EmisDelivery.objects.filter(received_at__lt=cutoff).order_by()
    deleted = 0
    while ids := list(old.values_list("pk", flat=True)[:_PRUNE_BATCH]):
        deleted += EmisDelivery.objects.filter(pk__in=ids).delete()[0]
    log.info("delivery log: %s rows older than %s days deleted", deleted, days)
    return deleted
