"""What every guest write shares: the row lock, "set only these fields", and
the history rows each change leaves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from ..history import Change, as_text
from ..models import Person, PersonChange
from ..rules import StaffRules

# Marks "not in the request", as opposed to an explicit null.
UNSET: Any = object()


def person_lock(*, person_id: int) -> Person:
    """The person row, locked until the surrounding transaction ends."""
    return Person.objects.select_for_update().get(pk=person_id)


def locked(model: type[models.Model], pk: int) -> models.Model:
    return model.objects.select_for_update().get(pk=pk)


def model_update(
    *,
    instance: StaffRules,
    values: Mapping[str, Any],
    clean_exclude: Iterable[str] = (),
    staff_rules: bool = True,
) -> list[tuple[str, Any, Any]]:
    """Set only the values that differ from ``instance`` (locked by the
    caller), validate the row and save just those fields.

    Returns ``(name, old, new)`` for each changed field, for the history:
    a value the model's ``clean`` normalised (a passport typed as
    "4510 123456" into the number sets the series too) as stored.
    Callers pass only what their user changed, so a concurrent write to any
    other field survives. ``staff_rules``: see ``reservations.rules``.
    """
    # Every plain field, not just ``values``: ``clean`` may normalise others.
    names = dict.fromkeys([*values, *_plain_fields(instance)])  # ordered
    before = {name: getattr(instance, name) for name in names}
    differs = False
    for name, new in values.items():
        if getattr(instance, name) != new:
            differs = True
            setattr(instance, name, new)
    if not differs:
        return []
    instance.full_clean(exclude=list(clean_exclude), staff_rules=staff_rules)
    changed = [
        (name, old, getattr(instance, name))
        for name, old in before.items()
        if getattr(instance, name) != old
    ]
    if changed:
        fields = [name for name, _old, _new in changed]
        instance.save(update_fields=[*fields, "updated_at"])
    return changed


def _plain_fields(instance: models.Model) -> list[str]:
    # Not relations (reading one is a query): ``clean`` never moves a row.
    return [f.name for f in instance._meta.concrete_fields if not f.is_relation]


def history_record(
    *,
    person: Person,
    changes: list[Change],
    source: str,
    user=None,
) -> None:
    """Store ``history.Change``s as history rows; a staff change also marks
    the profile as edited since EMIS's data (see ``_staff_edited``)."""
    if source == PersonChange.Source.MANUAL and changes:
        _staff_edited(person, changes)
    PersonChange.objects.bulk_create(
        PersonChange(
            person=person,
            entity=change.entity,
            entity_id=change.entity_id,
            entity_label=change.label,
            field=change.field,
            old_value=as_text(change.old),
            new_value=as_text(change.new),
            sensitive=change.sensitive,
            source=source,
            user=user if user is not None and user.is_authenticated else None,
        )
        for change in changes
    )


_NAME_PARTS = ("surname", "given_names", "patronymic")


def _staff_edited(person: Person, changes: list[Change]) -> None:
    """The profile now differs from the EMIS data last applied: the next
    delivery is compared field by field (no "unchanged" shortcut on the
    content hash), so a field staff changed meets EMIS's value as a conflict
    (emis/conflicts.py). Name parts staff typed are theirs: a name-policy
    re-apply leaves them alone."""
    typed = {
        c.field for c in changes if c.entity == PersonChange.Entity.PERSON
    } & set(_NAME_PARTS)
    sources = {**(person.name_sources or {}), **dict.fromkeys(typed, "staff")}
    # A part staff typed is checked: its "please check" flag goes.
    flagged = [p for p in (person.transliterated_parts or []) if p not in typed]
    person.emis_content_hash = ""
    person.name_sources = sources
    person.transliterated_parts = flagged
    Person.objects.filter(pk=person.pk).update(
        emis_content_hash="", name_sources=sources, transliterated_parts=flagged
    )
