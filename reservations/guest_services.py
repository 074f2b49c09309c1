"""Writes of the front-desk pages: reservations, stays and a person's
documents. Person fields go through ``services.person_update``; documents
are written under the same person row lock and leave history rows too.

Every update takes only the fields the user changed, so a concurrent change
to any other field (an EMIS delivery, a colleague) survives the save.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

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

# Fields that hold (part of) a document number: their history is masked for
# roles that may not see numbers.
SENSITIVE_FIELDS = frozenset({"series", "number"})
RECORD_MODELS: dict[str, type[models.Model]] = {
    "documents": IdentityDocument,
    "visas": Visa,
    "migration_card": MigrationCard,
}


@dataclass(frozen=True)
class RecordEdit:
    """One document row: new (``pk`` None, all values), changed (only the
    changed values) or deleted."""

    pk: int | None
    values: Mapping[str, Any] = field(default_factory=dict)
    delete: bool = False


def _apply_changes(obj: models.Model, values: Mapping[str, Any]) -> list[str]:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.full_clean()
        obj.save(update_fields=[*changed, "updated_at"])
    return changed


@transaction.atomic
def reservation_create(*, values: Mapping[str, Any]) -> Reservation:
    reservation = Reservation(**values)
    reservation.full_clean()
    reservation.save()
    return reservation


@transaction.atomic
def reservation_update(*, reservation_id: int, values: Mapping[str, Any]) -> list[str]:
    reservation = Reservation.objects.select_for_update().get(pk=reservation_id)
    return _apply_changes(reservation, values)


@transaction.atomic
def stay_update(*, stay_id: int, values: Mapping[str, Any]) -> list[str]:
    stay = Stay.objects.select_for_update().get(pk=stay_id)
    return _apply_changes(stay, values)


def _record_label(relation: str, obj: models.Model) -> str:
    # No document number in the label: it is not masked like the values.
    if relation == "documents":
        return f"documents[{obj.kind} #{obj.pk}]"
    if relation == "visas":
        return f"visas[#{obj.pk}]"
    return relation


def _record_values(obj: models.Model, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _editable_names(model: type[models.Model]) -> list[str]:
    skip = {"id", "person", "created_at", "updated_at"}
    return [f.name for f in model._meta.concrete_fields if f.name not in skip]


def _history(label: str, old: Mapping, new: Mapping) -> list[tuple]:
    names = [n for n in {**old, **new} if old.get(n) != new.get(n)]
    return [
        (f"{label}.{n}", old.get(n), new.get(n), n in SENSITIVE_FIELDS)
        for n in names
        if old.get(n) not in ("", None) or new.get(n) not in ("", None)
    ]


def _save_record(person: Person, relation: str, edit: RecordEdit) -> list[tuple]:
    model = RECORD_MODELS[relation]
    names = _editable_names(model)
    rows = model.objects.filter(person=person)
    obj = rows.filter(pk=edit.pk).first() if edit.pk else None
    if edit.pk is None and model is MigrationCard:
        # One card per person: one created meanwhile is updated instead.
        obj = rows.first()
    if edit.pk is not None and obj is None:
        return []  # deleted meanwhile; nothing left to edit
    if obj is None:
        obj = model(person=person, **edit.values)
        obj.full_clean()
        obj.save()
        return _history(_record_label(relation, obj), {}, _record_values(obj, names))
    label = _record_label(relation, obj)
    old = _record_values(obj, names)
    if edit.delete:
        obj.delete()
        return _history(label, old, {})
    _apply_changes(obj, edit.values)
    return _history(label, old, _record_values(obj, names))


@transaction.atomic
def person_records_save(
    *,
    person_id: int,
    edits: Mapping[str, Sequence[RecordEdit]],
    source: str = PersonChange.Source.MANUAL,
    user=None,
) -> int:
    """Apply document edits under the person's row lock; return how many
    fields changed. ``edits`` maps "documents"/"visas"/"migration_card" to
    the edits of that kind."""
    if not any(edits.values()):
        return 0
    person = person_lock(person_id=person_id)
    changes: list[tuple] = []
    for relation, relation_edits in edits.items():
        for edit in relation_edits:
            changes += _save_record(person, relation, edit)
    history_record(person=person, changes=changes, source=source, user=user)
    return len(changes)


@transaction.atomic
def guest_add(
    *,
    reservation: Reservation,
    person_values: Mapping[str, Any],
    stay_values: Mapping[str, Any],
    records: Mapping[str, Sequence[RecordEdit]],
    user=None,
) -> Stay:
    """A new person in the reservation, with the documents entered with it."""
    stay = stay_create(
        reservation=reservation,
        person_values=person_values,
        stay_values=stay_values,
        user=user,
    )
    person_records_save(person_id=stay.person_id, edits=records, user=user)
    return stay


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


def guest_attach(*, reservation: Reservation, person: Person, user=None) -> Stay:
    """An existing person joins the reservation and keeps their person ID."""
    return stay_create(reservation=reservation, person=person, user=user)
