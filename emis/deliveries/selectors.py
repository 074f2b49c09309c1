"""Reads of the delivery log: the API's list, Стыковки's last refusals and
the guest card's notice."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery

from emis.models import EmisDelivery
from reservations.aliases import PersonAlias


def _of_person(person_id) -> Q:
    """Rows EMIS sent under the person's ID or under an ID merged into it
    (EMIS is not told of merges): one condition, no extra query."""
    merged = PersonAlias.objects.filter(person_id=person_id).values("pk")
    return Q(person_id=person_id) | Q(person_id__in=merged)


def delivery_list(
    *,
    status: str | None = None,
    person_id: int | None = None,
    legal_entity_id: int | None = None,
    delivery_id: str | None = None,
) -> QuerySet[EmisDelivery]:
    """Newest first, filtered by whatever is given."""
    rows = EmisDelivery.objects.all()
    if person_id is not None:
        rows = rows.filter(_of_person(person_id))
    filters = {
        "status": status,
        "legal_entity_id": legal_entity_id,
        "delivery_id": delivery_id,
    }
    return rows.filter(**{k: v for k, v in filters.items() if v is not None})


def rejected_latest(*, limit: int = 5) -> list[EmisDelivery]:
    return list(delivery_list(status=EmisDelivery.Status.REJECTED)[:limit])


@dataclass(frozen=True)
class PersonDeliveries:
    """What the guest card says about a person's webhook deliveries."""

    last_id: int | None  # the newest row, whatever its status
    rejected: EmisDelivery | None  # that row, when it is a refusal still due


def person_deliveries(*, person) -> PersonDeliveries:
    """One query. A refusal is shown while it is the person's newest
    delivery and the profile does not already hold its version or a newer
    one (a pull or the sync may have brought the data since)."""
    last = EmisDelivery.objects.filter(_of_person(person.pk)).first()
    if last is None:
        return PersonDeliveries(None, None)
    held = person.emis_version
    caught_up = last.version is not None and held is not None and held >= last.version
    due = last.status == EmisDelivery.Status.REJECTED and not caught_up
    return PersonDeliveries(last.pk, last if due else None)


def with_last_delivery(persons: QuerySet) -> QuerySet:
    """Persons with ``last_delivery_id``, their newest delivery log row, read
    in the same query (the open card asks every few seconds)."""
    newest = (
        EmisDelivery.objects.filter(_of_person(OuterRef("pk")))
        .order_by("-received_at", "-id")
        .values("id")[:1]
    )
    return persons.annotate(last_delivery_id=Subquery(newest))
