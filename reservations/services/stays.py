"""Writes to reservations and stays: a guest added to a reservation (new or
returning person), their stay edited or removed, and the guest card's save,
which changes the person, the stay and the documents in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pms.services import model_create, model_update

from ..models import Person, PersonChange, Reservation, Stay
from .base import locked
from .documents import RecordEdit, person_records_save
from .persons import person_create, person_update


@transaction.atomic
def reservation_create(*, values: Mapping[str, Any]) -> Reservation:
    return model_create(Reservation, **values)


@transaction.atomic
def reservation_update(*, reservation_id: int, values: Mapping[str, Any]) -> list[str]:
    reservation = locked(Reservation, reservation_id)
    return [name for name, *_rest in model_update(instance=reservation, values=values)]


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
    return model_create(Stay, reservation=reservation, person=person, **values)


@transaction.atomic
def stay_update(*, stay_id: int, values: Mapping[str, Any]) -> list[str]:
    stay = locked(Stay, stay_id)
    return [name for name, *_rest in model_update(instance=stay, values=values)]


def stay_remove(*, stay: Stay) -> None:
    """Only the stay goes: the person keeps their ID for EMIS and for other
    reservations."""
    stay.delete()


def guest_add(
    *,
    reservation: Reservation,
    person: Person | None = None,
    person_values: Mapping[str, Any] | None = None,
    stay_values: Mapping[str, Any] | None = None,
    records: Mapping[str, Sequence[RecordEdit]] | None = None,
    user=None,
) -> Stay:
    """A new person (from ``person_values``, with the documents entered with
    it) or an existing one, in the reservation, once: a person already its
    guest is refused on ``person_id`` (the guest card's attach and the API
    alike). Two clients attaching the same person at once: the unique
    constraint decides, the loser gets the same error."""
    if person is not None and reservation.stays.filter(person=person).exists():
        raise _already_a_guest()
    try:
        with transaction.atomic():
            stay = stay_create(
                reservation=reservation,
                person=person,
                person_values=person_values,
                stay_values=stay_values,
                user=user,
            )
            if records:
                person_records_save(person_id=stay.person_id, edits=records, user=user)
            return stay
    except IntegrityError as exc:
        raise _already_a_guest() from exc


def _already_a_guest() -> ValidationError:
    message = _("This person is already a guest of the reservation.")
    return ValidationError(
        {"person_id": ValidationError(message, code="already_a_guest")}
    )


def guest_attach(*, reservation: Reservation, person: Person, user=None) -> Stay:
    """An existing person joins the reservation and keeps their person ID."""
    return guest_add(reservation=reservation, person=person, user=user)


@transaction.atomic
def guest_update(
    *,
    stay: Stay,
    person_values: Mapping[str, Any],
    stay_values: Mapping[str, Any],
    records: Mapping[str, Sequence[RecordEdit]],
    user=None,
) -> list[str]:
    """Save what the user changed on the guest page; return changed names."""
    changed = []
    if person_values:
        changed += person_update(
            person_id=stay.person_id,
            values=person_values,
            source=PersonChange.Source.MANUAL,
            user=user,
        )
    if stay_values:
        changed += stay_update(stay_id=stay.pk, values=stay_values)
    if person_records_save(person_id=stay.person_id, edits=records, user=user):
        changed.append("documents")
    return changed
