"""Writes to a person's documents, visas and migration card: the guest card's
editor (``person_records_save``) and the API's PATCH (``person_apply``) share
one way to create, change and delete a record, under the person's row lock,
with a history row for every field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pms.masking import mask_number
from pms.services import model_update

from ..document_key import number_key
from ..duplicates import countries_match
from ..history import Change, record_changes
from ..models import IdentityDocument, MigrationCard, Person, PersonChange, Visa
from .base import UNSET, history_record, person_lock
from .persons import person_update

RECORD_MODELS: dict[str, type[models.Model]] = {
    "documents": IdentityDocument,
    "visas": Visa,
    "migration_card": MigrationCard,
}
_NOT_EDITABLE = {"id", "person", "created_at", "updated_at"}


@dataclass(frozen=True)
class RecordEdit:
    """One document row: new (``pk`` None, all values), changed (only the
    changed values) or deleted."""

    pk: int | None
    values: Mapping[str, Any] = field(default_factory=dict)
    delete: bool = False


def _editable(obj: models.Model) -> dict[str, Any]:
    # Bookkeeping (editable=False, e.g. what EMIS last gave) is no history.
    names = [
        f.name
        for f in obj._meta.concrete_fields
        if f.editable and f.name not in _NOT_EDITABLE
    ]
    return {name: getattr(obj, name) for name in names}


def _changes(obj: models.Model, triples) -> list[Change]:
    triples = [
        (name, old, new)
        for name, old, new in triples
        if old not in ("", None) or new not in ("", None)
    ]
    return record_changes(obj, triples)


def record_create(
    *, person: Person, model: type[models.Model], values: Mapping[str, Any]
) -> list[Change]:
    obj = model(person=person, **values)
    obj.full_clean(exclude=["person"])
    obj.save()
    return _changes(obj, [(n, None, v) for n, v in _editable(obj).items()])


def record_update(*, obj: models.Model, values: Mapping[str, Any]) -> list[Change]:
    changed = model_update(instance=obj, values=values, clean_exclude=["person"])
    return _changes(obj, changed)


def record_delete(*, obj: models.Model) -> list[Change]:
    changes = _changes(obj, [(n, v, None) for n, v in _editable(obj).items()])
    obj.delete()
    return changes


def _save_edit(person: Person, model: type[models.Model], edit: RecordEdit):
    rows = model.objects.filter(person=person)
    obj = rows.filter(pk=edit.pk).first() if edit.pk else None
    if edit.pk is None and model is MigrationCard:
        # One card per person: one created meanwhile is updated instead.
        obj = rows.first()
    if edit.pk is not None and obj is None:
        return []  # deleted meanwhile; nothing left to edit
    if obj is None:
        return record_create(person=person, model=model, values=edit.values)
    if edit.delete:
        return record_delete(obj=obj)
    return record_update(obj=obj, values=edit.values)


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
    changes: list[Change] = []
    for relation, relation_edits in edits.items():
        for edit in relation_edits:
            changes += _save_edit(person, RECORD_MODELS[relation], edit)
    history_record(person=person, changes=changes, source=source, user=user)
    return len(changes)


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
        changes += _replace(person, "documents", documents, keep_masked)
    if visas is not None:
        changes += _replace(person, "visas", visas, keep_masked)
    if migration_card is not UNSET:
        changes += _card_apply(person, migration_card, keep_masked)
    if changes:
        history_record(
            person=person, changes=changes, source=PersonChange.Source.MANUAL, user=user
        )
        Person.objects.filter(pk=person_id).update(updated_at=timezone.now())


def _replace(
    person: Person, relation: str, items: Sequence[Mapping[str, Any]], keep_masked
) -> list[Change]:
    model = RECORD_MODELS[relation]
    existing = {obj.pk: obj for obj in model.objects.filter(person=person)}
    kept = {item["id"] for item in items if item.get("id") is not None}
    changes: list[Change] = []
    for index, item in enumerate(items):
        item = dict(item)
        pk = item.pop("id", None)
        if pk is None:
            pk = _same_record(existing, kept, item, keep_masked)
            kept.add(pk)  # None when new: no row has it
        if pk is not None and pk not in existing:
            # Deleted by someone else since the request was validated.
            message = _("No such item of this person: %(id)s.") % {"id": pk}
            raise ValidationError({f"{relation}.{index}.id": message})
        with _errors_at(f"{relation}.{index}"):
            changes += _item_save(person, model, existing.get(pk), item, keep_masked)
    for pk, obj in existing.items():
        if pk not in kept:
            changes += record_delete(obj=obj)
    return changes


def _same_record(existing: Mapping[int, Any], taken: set, item, keep_masked):
    """The id of the row an item without ``id`` is, if it is one of the
    person's (``duplicates.same_document``'s rule: kind, number key and a
    country not different) and no other item names that row. A client that
    drops the ids when it sends a list back edits the same documents: were
    they replaced by new rows, what EMIS last gave for each field would go
    with the old row, and EMIS's next delivery would silently revert staff's
    edit instead of raising a conflict."""
    key = number_key(item.get("series"), item.get("number"))
    for pk, obj in existing.items():
        kind = getattr(obj, "kind", None)  # visas have none
        if pk in taken or item.get("kind", kind) != kind:
            continue
        if not countries_match(item.get("issuing_country", ""), obj.issuing_country):
            continue
        if number_key(obj.series, obj.number) == key or (
            # A reader shown masked numbers sends the mask back.
            keep_masked
            and item.get("number") == mask_number(obj.number)
            and number_key(item.get("series"), "") == number_key(obj.series, "")
        ):
            return pk
    return None


def _item_save(person, model, obj, values, keep_masked) -> list[Change]:
    if obj is None:
        return record_create(person=person, model=model, values=values)
    number = values.get("number")
    if keep_masked and obj.number and number == mask_number(obj.number):
        values = {k: v for k, v in values.items() if k != "number"}
    return record_update(obj=obj, values=values)


def _card_apply(person: Person, values, keep_masked) -> list[Change]:
    card = MigrationCard.objects.filter(person=person).first()
    if values is None:
        return record_delete(obj=card) if card is not None else []
    with _errors_at("migration_card"):
        return _item_save(person, MigrationCard, card, dict(values), keep_masked)


class _errors_at:
    """Re-raise a record's field errors under its path in the request
    ("documents.0.expiry_date"): the API shows them nested there."""

    def __init__(self, path: str):
        self.path = path

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is ValidationError and hasattr(exc, "error_dict"):
            raise ValidationError(
                {
                    f"{self.path}.{name}": errors
                    for name, errors in exc.error_dict.items()
                }
            ) from exc
        return False
