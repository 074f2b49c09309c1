"""Writes the REST API needs beyond ``reservations.services``: a guest added to
a reservation, a stay edited or removed, and a person's documents, visas and
migration card replaced — each in one transaction, the person's under the
person's row lock, with history rows for every changed field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from pms.masking import mask_number

from .models import (
    IdentityDocument,
    MigrationCard,
    Person,
    PersonChange,
    Reservation,
    Stay,
    Visa,
)
from .services import history_record, person_lock, person_update, stay_create

# Fields whose history rows hold (part of) a document number: masked on
# display for roles that may not see numbers.
SENSITIVE_FIELDS = frozenset({"series", "number"})

# Marks "not in the request", as opposed to an explicit null.
UNSET: Any = object()

Change = tuple[str, Any, Any, bool]


def guest_add(
    *,
    reservation: Reservation,
    person: Person | None = None,
    person_values: Mapping[str, Any] | None = None,
    stay_values: Mapping[str, Any] | None = None,
    user=None,
) -> Stay:
    """A new person (from ``person_values``) or an existing one, in the
    reservation. Two clients attaching the same person at once: the unique
    constraint decides, the loser gets a per-field 400."""
    try:
        with transaction.atomic():
            return stay_create(
                reservation=reservation,
                person=person,
                person_values=person_values,
                stay_values=stay_values,
                user=user,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"person_id": [_("This person is already a guest of the reservation.")]}
        ) from exc


@transaction.atomic
def stay_update(*, stay: Stay, values: Mapping[str, Any]) -> Stay:
    for field, value in values.items():
        setattr(stay, field, value)
    if values:
        stay.full_clean(exclude=["reservation", "person"])
        stay.save(update_fields=[*values, "updated_at"])
    return stay


def stay_remove(*, stay: Stay) -> None:
    """Only the stay goes: the person keeps their ID for EMIS and for other
    reservations."""
    stay.delete()


@transaction.atomic
def person_apply(
    *,
    person_id: int,
    values: Mapping[str, Any],
    documents: Sequence[Mapping[str, Any]] | None = None,
    visas: Sequence[Mapping[str, Any]] | None = None,
    migration_card: Mapping[str, Any] | None = UNSET,
    keep_masked: bool = False,
    user=None,
) -> None:
    """Apply one API PATCH. ``values`` holds only the scalar fields present in
    the request; ``documents``/``visas`` (when not None) replace the lists,
    matched by ``id`` when given; ``migration_card`` None deletes it.

    ``keep_masked``: the caller was shown masked numbers, so a number equal to
    the mask of the stored one means "unchanged", not a new number.
    """
    person = person_lock(person_id=person_id)
    if values:
        person_update(person_id=person_id, values=values, user=user)
    changes: list[Change] = []
    if documents is not None:
        changes += _replace(person, IdentityDocument, documents, keep_masked)
    if visas is not None:
        changes += _replace(person, Visa, visas, keep_masked)
    if migration_card is not UNSET:
        changes += _migration_card_apply(person, migration_card, keep_masked)
    if changes:
        history_record(
            person=person, changes=changes, source=PersonChange.Source.MANUAL, user=user
        )
        Person.objects.filter(pk=person_id).update(updated_at=timezone.now())


def _label(obj: models.Model, prefix: str) -> str:
    # The history's field name is shown to everyone: never a number in it.
    # Same labels as the guest card's editor (guest_services).
    if isinstance(obj, IdentityDocument):
        return f"{prefix}[{obj.kind} #{obj.pk}]"
    if isinstance(obj, Visa):
        return f"{prefix}[#{obj.pk}]"
    return prefix


def _prefix(model: type[models.Model]) -> str:
    return {IdentityDocument: "documents", Visa: "visas"}.get(model, "migration_card")


def _replace(
    person: Person,
    model: type[models.Model],
    items: Sequence[Mapping[str, Any]],
    keep_masked: bool,
) -> list[Change]:
    prefix = _prefix(model)
    existing = {obj.pk: obj for obj in model.objects.filter(person=person)}
    changes: list[Change] = []
    kept: set[int] = set()
    for index, item in enumerate(items):
        item = dict(item)
        pk = item.pop("id", None)
        if pk is not None and pk not in existing:
            # Deleted by someone else since the request was validated.
            raise ValidationError({prefix: {index: {"id": [_unknown_item(pk)]}}})
        obj = existing[pk] if pk is not None else model(person=person)
        kept.add(pk)
        changes += _save_item(obj, item, prefix, keep_masked)
    for pk, obj in existing.items():
        if pk not in kept:
            changes.append(_removal(obj, prefix))
            obj.delete()
    return changes


def _unknown_item(pk: int) -> str:
    return _("No such item of this person: %(id)s.") % {"id": pk}


def _save_item(
    obj: models.Model, values: Mapping[str, Any], prefix: str, keep_masked: bool
) -> list[Change]:
    created = obj.pk is None
    label = _label(obj, prefix) if not created else ""
    changes = []
    for field, new in values.items():
        old = getattr(obj, field)
        if keep_masked and field == "number" and old and new == mask_number(old):
            continue
        if created or old != new:
            setattr(obj, field, new)
            changes.append([field, "" if created else old, new])
    if not changes:
        return []
    obj.full_clean(exclude=["person"])
    obj.save()
    label = label or _label(obj, prefix)
    return [
        (f"{label}.{field}", old, new, field in SENSITIVE_FIELDS)
        for field, old, new in changes
        if not (created and new in ("", None))
    ]


def _removal(obj: models.Model, prefix: str) -> Change:
    number = " ".join(p for p in (obj.series, obj.number) if p)
    return (_label(obj, prefix), number, "", True)


def _migration_card_apply(
    person: Person, values: Mapping[str, Any] | None, keep_masked: bool
) -> list[Change]:
    card = MigrationCard.objects.filter(person=person).first()
    if values is None:
        if card is None:
            return []
        change = _removal(card, "migration_card")
        card.delete()
        return [change]
    card = card or MigrationCard(person=person)
    return _save_item(card, values, "migration_card", keep_masked)
