"""What every guest write shares: the row lock, "set only these fields", and
the history rows each change leaves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from ..models import Person, PersonChange

# Marks "not in the request", as opposed to an explicit null.
UNSET: Any = object()

# (field key, old, new, sensitive): one row of a person's history.
Change = tuple[str, Any, Any, bool]


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def person_lock(*, person_id: int) -> Person:
    """The person row, locked until the surrounding transaction ends."""
    return Person.objects.select_for_update().get(pk=person_id)


def locked(model: type[models.Model], pk: int) -> models.Model:
    return model.objects.select_for_update().get(pk=pk)


def model_update(
    *,
    instance: models.Model,
    values: Mapping[str, Any],
    clean_exclude: Iterable[str] = (),
) -> list[tuple[str, Any, Any]]:
    """Set only the values that differ from ``instance`` (locked by the
    caller), validate the row and save just those fields.

    Returns ``(name, old, new)`` for each changed field, for the history.
    Callers pass only what their user changed, so a concurrent write to any
    other field survives.
    """
    changed = []
    for name, new in values.items():
        old = getattr(instance, name)
        if old != new:
            changed.append((name, old, new))
            setattr(instance, name, new)
    if changed:
        instance.full_clean(exclude=list(clean_exclude))
        names = [name for name, _old, _new in changed]
        instance.save(update_fields=[*names, "updated_at"])
    return changed


def history_record(
    *,
    person: Person,
    changes: list[Change],
    source: str,
    user=None,
) -> None:
    """Store ``(field, old, new, sensitive)`` tuples as history rows."""
    PersonChange.objects.bulk_create(
        PersonChange(
            person=person,
            field=field,
            old_value=as_text(old),
            new_value=as_text(new),
            sensitive=sensitive,
            source=source,
            user=user if user is not None and user.is_authenticated else None,
        )
        for field, old, new, sensitive in changes
    )
