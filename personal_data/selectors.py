"""Reads the erasure rules share: which stays are current or future, which
persons were erased and have not come again since, and which hold personal
data (again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db.models import DateField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from emis.models import EmisConflict
from reservations.choices import PERSON_DETAILS
from reservations.models import (
    IdentityDocument,
    MigrationCard,
    Person,
    PersonChange,
    Reservation,
    Stay,
    Visa,
)

from .models import PersonErasure

# The surname a profile requires, once the real one is erased: no name.
PLACEHOLDER = "—"

# The person's own text fields an erasure blanks and staff can type again.
ERASED_TEXT_FIELDS = (
    *(
        f"{part}{script}"
        for part in ("surname", "given_names", "patronymic")
        for script in ("_latin", "_cyrillic", "")
        if f"{part}{script}" != "surname"
    ),
    *(name for name in PERSON_DETAILS if name != "birth_date"),  # a date: None
)


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


def holds_personal_data() -> Q:
    """A filter of persons holding a value an erasure removes: never
    erased, or typed in again since (staff may fill an erased profile: the
    guest may be back at the desk before a stay is booked). What the purge
    catches and what a second erasure needs (one query, subqueries on the
    person-ID indexes)."""
    own = Q(~Q(surname=PLACEHOLDER) | Q(birth_date__isnull=False))
    own = reduce(or_, (~Q(**{name: ""}) for name in ERASED_TEXT_FIELDS), own)
    rows = [
        Exists(model.objects.filter(person_id=OuterRef("pk")))
        for model in (IdentityDocument, Visa, MigrationCard, EmisConflict)
    ]
    # An erasure blanks the history's values: a value there came later (a
    # phone typed in and cleared again is still in its row).
    rows.append(
        Exists(
            PersonChange.objects.filter(person_id=OuterRef("pk")).exclude(
                old_value="", new_value=""
            )
        )
    )
    rows.append(Exists(Stay.objects.filter(person_id=OuterRef("pk")).exclude(note="")))
    return reduce(or_, map(Q, rows), own)


def person_holds_personal_data(person_id: int) -> bool:
    return Person.objects.filter(pk=person_id).filter(holds_personal_data()).exists()


def person_erasures(person_id: int) -> list[PersonErasure]:
    """Every erasure of the person, oldest first: a later one must not hide
    why the data first went."""
    return list(
        PersonErasure.objects.filter(person_id=person_id).order_by("erased_at", "id")
    )
