"""What every guest write shares: the row lock and the history rows each
change leaves ("set only these fields" is ``pms.services.model_update``)."""

from __future__ import annotations

from typing import Any

from django.db import models

from ..history import Change, as_text
from ..models import Person, PersonChange

# Marks "not in the request", as opposed to an explicit null.
UNSET: Any = object()


def person_lock(*, person_id: int) -> Person:
    """The person row, locked until the surrounding transaction ends."""
    return Person.objects.select_for_update().get(pk=person_id)


def locked(model: type[models.Model], pk: int) -> models.Model:
    return model.objects.select_for_update().get(pk=pk)


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
    typed = {c.field for c in changes if c.entity == PersonChange.Entity.PERSON} & set(
        _NAME_PARTS
    )
    sources = {**(person.name_sources or {}), **dict.fromkeys(typed, "staff")}
    # A part staff typed is checked: its "please check" flag goes.
    flagged = [p for p in (person.transliterated_parts or []) if p not in typed]
    person.emis_content_hash = ""
    person.name_sources = sources
    person.transliterated_parts = flagged
    Person.objects.filter(pk=person.pk).update(
        emis_content_hash="", name_sources=sources, transliterated_parts=flagged
    )
