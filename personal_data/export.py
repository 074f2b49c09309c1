"""Everything the PMS holds about one person, for the data subject
(152-FZ art. 14): the profile, stays, documents, visas, the migration card,
the change history, EMIS conflicts, jobs and delivery-log rows, merged IDs
and erasures — as JSON-ready plain data, full values included (the guest
is owed their own data; the view is for admins and logged as a read)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from emis.models import EmisConflict, EmisDelivery, EmisJob, UploadLinkClick
from reservations.models import (
    IdentityDocument,
    MigrationCard,
    Person,
    PersonAlias,
    PersonChange,
    Stay,
    Visa,
)

from .models import PersonErasure

FORMAT = "pms-personal-data-export/1"
# Bookkeeping that says nothing about the guest.
_SKIPPED = {"person", "emis_content_hash"}


def _row(obj: models.Model, *, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A row's concrete fields as plain values (foreign keys as IDs)."""
    data = {}
    for f in obj._meta.concrete_fields:
        if f.name in _SKIPPED or f.name in skip:
            continue
        value = getattr(obj, f.attname)
        data[f.attname if f.is_relation else f.name] = (
            value.isoformat() if hasattr(value, "isoformat") else value
        )
    return data


def _rows(queryset: models.QuerySet, **kwargs) -> list[dict[str, Any]]:
    return [_row(obj, **kwargs) for obj in queryset]


def person_export(*, person_id: int) -> dict[str, Any]:
    """The export of ``person_id`` (``Person.DoesNotExist`` if none). A fixed
    number of queries, one per kind of row."""
    person = Person.objects.get(pk=person_id)
    aliases = list(PersonAlias.objects.filter(person_id=person_id).order_by("pk"))
    ids = [person_id, *(a.pk for a in aliases)]
    stays = Stay.objects.filter(person_id=person_id).select_related(
        "reservation", "reservation__legal_entity"
    )
    return {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(),
        "person": _row(person),
        "merged_ids": _rows(aliases),
        "stays": [_stay(stay) for stay in stays.order_by("registration_from", "pk")],
        "documents": _rows(IdentityDocument.objects.filter(person_id=person_id)),
        "visas": _rows(Visa.objects.filter(person_id=person_id)),
        "migration_card": _rows(MigrationCard.objects.filter(person_id=person_id)),
        "history": _rows(
            PersonChange.objects.filter(person_id=person_id).order_by(
                "created_at", "pk"
            )
        ),
        "emis_conflicts": _rows(EmisConflict.objects.filter(person_id=person_id)),
        "emis_jobs": _rows(EmisJob.objects.filter(person_id=person_id).order_by("pk")),
        "emis_deliveries": _rows(
            EmisDelivery.objects.filter(person_id__in=ids).order_by("received_at", "pk")
        ),
        "emis_uploads": _rows(
            UploadLinkClick.objects.filter(person_id=person_id).order_by("pk")
        ),
        "erasures": _rows(PersonErasure.objects.filter(person_id=person_id)),
    }


def _stay(stay: Stay) -> dict[str, Any]:
    # The reservation's own contacts and notes are its booker's, who may be
    # someone else: only what places the stay.
    reservation = stay.reservation
    return {
        **_row(stay, skip=frozenset({"reservation"})),
        "reservation": {
            "id": reservation.pk,
            "status": reservation.status,
            "arrival": reservation.arrival.isoformat(),
            "departure": reservation.departure.isoformat(),
            "legal_entity": {
                "id": reservation.legal_entity_id,
                "name": reservation.legal_entity.name,
                "inn": reservation.legal_entity.inn,
            },
        },
    }
