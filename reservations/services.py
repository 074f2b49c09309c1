"""Writes to persons and stays. Every change to a person goes through
``person_update`` so that it is made under the person's row lock and leaves a
per-field history row, whoever makes it (staff, webhook, pull, sync)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from .models import Person, PersonChange, Reservation, Stay


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def person_lock(*, person_id: int) -> Person:
    """The person row, locked until the surrounding transaction ends."""
    return Person.objects.select_for_update().get(pk=person_id)


def history_record(
    *,
    person: Person,
    changes: list[tuple[str, Any, Any, bool]],
    source: str,
    user=None,
) -> None:
    """Store ``(field, old, new, sensitive)`` tuples as history rows."""
    PersonChange.objects.bulk_create(
        PersonChange(
            person=person,
            field=field,
            old_value=_as_text(old),
            new_value=_as_text(new),
            sensitive=sensitive,
            source=source,
            user=user if user is not None and user.is_authenticated else None,
        )
        for field, old, new, sensitive in changes
    )


@transaction.atomic
def person_update(
    *,
    person_id: int,
    values: Mapping[str, Any],
    source: str = PersonChange.Source.MANUAL,
    user=None,
) -> list[str]:
    """Set only the given fields, under the row lock; return the changed names.

    Callers pass just the fields the editor actually changed, so a staff save
    and an EMIS update arriving at the same moment both survive: neither
    writes back a stale copy of the other's fields.
    """
    person = person_lock(person_id=person_id)
    changes = []
    for field, new in values.items():
        old = getattr(person, field)
        if old != new:
            changes.append((field, old, new, False))
            setattr(person, field, new)
    if changes:
        person.full_clean(exclude=[f for f in _all_fields() if f not in values])
        person.save(update_fields=[c[0] for c in changes] + ["updated_at"])
        history_record(person=person, changes=changes, source=source, user=user)
    return [c[0] for c in changes]


def _all_fields() -> list[str]:
    return [f.name for f in Person._meta.concrete_fields]


@transaction.atomic
def person_create(*, values: Mapping[str, Any], user=None) -> Person:
    person = Person(**values)
    person.full_clean()
    person.save()
    history_record(
        person=person,
        changes=[(k, "", v, False) for k, v in values.items() if v not in ("", None)],
        source=PersonChange.Source.MANUAL,
        user=user,
    )
    return person


@transaction.atomic
def stay_create(
    *,
    reservation: Reservation,
    person: Person | None = None,
    person_values: Mapping[str, Any] | None = None,
    stay_values: Mapping[str, Any] | None = None,
    user=None,
) -> Stay:
    """Add a guest to a reservation: a new person from ``person_values`` (only
    ``surname`` is required) or an existing ``person``, who keeps their ID."""
    if person is None:
        person = person_create(values=person_values or {}, user=user)
    values = {
        "registration_from": reservation.arrival,
        "registration_to": reservation.departure,
        **(stay_values or {}),
    }
    stay = Stay(reservation=reservation, person=person, **values)
    stay.full_clean()
    stay.save()
    return stay
