"""Reads of the delivery log: the API's list, Стыковки's last refusals and
the guest card's notice."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, OuterRef, QuerySet, Subquery, Value

from emis.models import EmisDelivery
from reservations.aliases import PersonAlias
from reservations.models import Person


def _emis_ids(person_id) -> QuerySet:
    """The person's ID and every ID merged into it (EMIS is not told of
    merges), as one subquery the person index can serve; ``person_id`` is an
    ID or an outer reference. (An OR of ``person_id = X`` and ``IN (merged)``
    made the database read the log backwards by time until it met the
    guest: ~30 ms per look at 100,000 rows for a guest with no recent
    delivery.)"""
    own = Person.objects.filter(pk=person_id).order_by().values("pk")
    merged = PersonAlias.objects.filter(person_id=person_id).order_by().values("pk")
    return own.union(merged, all=True)


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
        rows = rows.filter(person_id__in=_emis_ids(person_id))
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

    last_id: int | None  # the newest row's ID (the highest), whatever its status
    rejected: EmisDelivery | None  # the newest refusal still due


# What brings a refused version's data: the apply took it, or held it.
_ACCEPTED = (EmisDelivery.Status.APPLIED, EmisDelivery.Status.UNCHANGED)
# The guest's newest deliveries the card's notice looks at: a refusal with
# this many later deliveries of the same guest is history, not news.
RECENT = 200


def person_deliveries(*, person) -> PersonDeliveries:
    """One query, on the person index: the person's newest deliveries under
    any of their EMIS IDs, each with the version its ID holds when it is an
    alias (a merged guest's old ID)."""
    alias_version = PersonAlias.objects.filter(pk=OuterRef("person_id"))
    rows = list(
        EmisDelivery.objects.filter(person_id__in=_emis_ids(person.pk)).annotate(
            alias_version=Subquery(alias_version.values("emis_version")[:1])
        )[:RECENT]
    )
    if not rows:
        return PersonDeliveries(None, None)
    # The highest ID, as the open card's poll reads it (``with_last_delivery``).
    last_id = max(row.pk for row in rows)
    return PersonDeliveries(last_id, _refusal_due(rows, person))


def _refusal_due(rows: list[EmisDelivery], person) -> EmisDelivery | None:
    """The newest refusal whose data has not arrived since (``rows``
    newest first): no later accepted delivery for the same EMIS person ID
    of that version or a newer one, and the profile does not hold that
    version (a pull or the sync may have brought it). EMIS versions each
    person ID apart, so a refusal sent to a merged ID is compared with that
    alias's version, not the survivor's (``emis/alias_versions.py``). An
    older version (``stale``) brings nothing: the notice stays."""
    accepted_after: dict[int, int] = {}  # EMIS ID → newest version accepted
    for row in rows:
        if row.status in _ACCEPTED:
            seen = accepted_after.get(row.person_id, -1)
            accepted_after[row.person_id] = max(seen, row.version or 0)
        elif row.status == EmisDelivery.Status.REJECTED and not _arrived(
            row, accepted_after.get(row.person_id, -1), person
        ):
            return row
    return None


def _arrived(row: EmisDelivery, accepted_after: int, person) -> bool:
    # A refusal with no readable version: any accepted delivery after it.
    if accepted_after >= (row.version or 0):
        return True
    held = person.emis_version if row.person_id == person.pk else row.alias_version
    return row.version is not None and held is not None and held >= row.version


def with_last_delivery(persons: QuerySet) -> QuerySet:
    """Persons with ``last_delivery_id``, the highest ID of their delivery
    log rows, read in the same query (the open card asks every few
    seconds). The highest ID, not the newest time: a maximum the person
    index answers directly, where "newest by time" made the database walk
    the log backwards until it met the guest (~100 ms at 100,000 rows)."""
    mine = EmisDelivery.objects.filter(person_id__in=_emis_ids(OuterRef(OuterRef("pk"))))
    highest = mine.order_by().annotate(one=Value(1)).values("one").annotate(m=Max("id"))
    return persons.annotate(last_delivery_id=Subquery(highest.values("m")[:1]))
