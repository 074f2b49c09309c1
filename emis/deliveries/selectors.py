"""Reads of the delivery log: the API's list, Стыковки's last refusals and
the guest card's notice."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    PositiveIntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

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
    signed: bool | None = None,
) -> QuerySet[EmisDelivery]:
    """Newest first, filtered by whatever is given."""
    rows = EmisDelivery.objects.all()
    if person_id is not None:
        rows = rows.filter(_of_person(person_id))
    filters = {
        "status": status,
        "legal_entity_id": legal_entity_id,
        "delivery_id": delivery_id,
        "signed": signed,
    }
    return rows.filter(**{k: v for k, v in filters.items() if v is not None})


def rejected_latest(*, limit: int = 5) -> list[EmisDelivery]:
    """The last refusals of signed deliveries: EMIS's own data, refused.
    Unsigned refusals are anyone's and are counted apart
    (``unsigned_refusals``), so a flood of them cannot push these out."""
    refused = delivery_list(status=EmisDelivery.Status.REJECTED, signed=True)
    return list(refused[:limit])


@dataclass(frozen=True)
class UnsignedRefusals:
    count: int  # logged since the given time
    last: EmisDelivery | None


def unsigned_refusals(*, since) -> UnsignedRefusals:
    """Requests refused without a valid signature since ``since``: how
    many were logged, and the newest. Two indexed reads."""
    rows = delivery_list(status=EmisDelivery.Status.REJECTED, signed=False).filter(
        received_at__gte=since
    )
    last = rows.first()
    return UnsignedRefusals(rows.count() if last else 0, last)


@dataclass(frozen=True)
class PersonDeliveries:
    """What the guest card says about a person's webhook deliveries."""

    last_id: int | None  # the newest row, whatever its status
    rejected: EmisDelivery | None  # the newest refusal still due


# What brings a refused version's data: the apply took it, or held it.
_ACCEPTED = (EmisDelivery.Status.APPLIED, EmisDelivery.Status.UNCHANGED)


def _refusals_due(person) -> QuerySet[EmisDelivery]:
    """The person's refusals whose data has not arrived since: no later
    accepted delivery for the same EMIS person ID of that version or a newer
    one, and the profile does not hold that version (a pull or the sync may
    have brought it). EMIS versions each person ID apart, so a refusal sent
    to a merged ID is compared with that alias's version, not the
    survivor's (``emis/alias_versions.py``). An older version (``stale``)
    brings nothing: the notice stays."""
    accepted_since = EmisDelivery.objects.filter(
        person_id=OuterRef("person_id"),
        pk__gt=OuterRef("pk"),
        status__in=_ACCEPTED,
        # A refusal with no readable version: any accepted delivery after it.
        version__gte=Coalesce(OuterRef("version"), 0),
    )
    alias_version = PersonAlias.objects.filter(pk=OuterRef("person_id"))
    own = Value(person.emis_version, output_field=PositiveIntegerField())
    held = Case(
        When(person_id=person.pk, then=own),
        default=Subquery(alias_version.values("emis_version")[:1]),
    )
    return (
        EmisDelivery.objects.filter(_of_person(person.pk))
        .filter(status=EmisDelivery.Status.REJECTED)
        .annotate(held=held)
        .filter(~Exists(accepted_since))
        .filter(Q(version__isnull=True) | Q(held__isnull=True) | Q(held__lt=F("version")))
    )


def person_deliveries(*, person) -> PersonDeliveries:
    """One query: the person's newest row and newest refusal still due
    (the same row, or two)."""
    mine = EmisDelivery.objects.filter(_of_person(person.pk))
    newest = mine.values("pk")[:1]
    due = _refusals_due(person).values("pk")[:1]
    rows = list(
        mine.filter(Q(pk=Subquery(newest)) | Q(pk=Subquery(due))).annotate(
            due_id=Subquery(due)
        )
    )
    if not rows:
        return PersonDeliveries(None, None)
    rejected = next((row for row in rows if row.pk == row.due_id), None)
    return PersonDeliveries(rows[0].pk, rejected)


def with_last_delivery(persons: QuerySet) -> QuerySet:
    """Persons with ``last_delivery_id``, their newest delivery log row, read
    in the same query (the open card asks every few seconds)."""
    newest = (
        EmisDelivery.objects.filter(_of_person(OuterRef("pk")))
        .order_by("-received_at", "-id")
        .values("id")[:1]
    )
    return persons.annotate(last_delivery_id=Subquery(newest))
