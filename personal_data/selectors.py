"""Reads the erasure rules share: which stays are current or future, and
which persons were erased and have not come again since."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import DateField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from reservations.models import Person, Reservation, Stay

from .models import PersonErasure


def open_stays() -> QuerySet[Stay]:
    """Stays that are current or future in hotel time: they end today or
    later. A cancelled reservation's stays do not count: nobody comes."""
    return Stay.objects.filter(registration_to__gte=timezone.localdate()).exclude(
        reservation__status=Reservation.Status.CANCELLED
    )


def persons_with_open_stay(person_ids: Iterable[int]) -> set[int]:
    rows = open_stays().filter(person_id__in=list(person_ids))
    return set(rows.values_list("person_id", flat=True).distinct())


def erased_and_not_back(person_ref: str = "pk") -> Exists:
    """For the person ``OuterRef(person_ref)`` names: their data was erased
    and no stay of theirs ends after the stays that erasure covered.

    Data about such a person has no lawful purpose here: EMIS may not fill
    the profile again (``emis/scope.py``) and the retention rule has nothing
    left to erase. A guest who comes again gets a new stay, and with it a new
    processing of their data."""
    newer_stay = Stay.objects.filter(
        person_id=OuterRef("person_id"), registration_to__gt=OuterRef("until")
    )
    covering = (
        PersonErasure.objects.filter(person_id=OuterRef(person_ref))
        # Erased without any stay: every stay they get later is newer.
        .annotate(until=Coalesce("stays_until", Value(dt.date.min, DateField())))
        .filter(~Exists(newer_stay))
    )
    return Exists(covering)


def persons_erased(person_ids: Iterable[int]) -> set[int]:
    """The persons among ``person_ids`` erased and not back (one query)."""
    rows = Person.objects.filter(pk__in=list(person_ids)).filter(erased_and_not_back())
    return set(rows.values_list("pk", flat=True))


def person_erasure_latest(person_id: int) -> PersonErasure | None:
    return PersonErasure.objects.filter(person_id=person_id).first()
