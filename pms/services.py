"""Write helpers the apps' services share (apps import pms, never the other
way round)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def model_create(model: type[M], **values: Any) -> M:
    """A new row, validated before it is saved: ``full_clean`` runs the field
    validators and the model's ``clean``, the rules every write path shares."""
    instance = model(**values)
    instance.full_clean()
    instance.save()
    return instance


def model_update(
    *,
    instance: models.Model,
    values: Mapping[str, Any],
    clean_exclude: Iterable[str] = (),
    **clean_options: Any,
) -> list[tuple[str, Any, Any]]:
    """Set only the values that differ from ``instance`` (locked by the
    caller), validate the row and save just those fields (and its
    ``updated_at``, which every model written this way has).

    Returns ``(name, old, new)`` for each changed field, for the history:
    a value the model's ``clean`` normalised (a passport typed as
    "4510 123456" into the number sets the series too) as stored.
    Callers pass only what their user changed, so a concurrent write to any
    other field survives. ``clean_options`` go to ``full_clean``: the guest
    models' ``staff_rules`` (see ``reservations.rules``).
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
    instance.full_clean(exclude=list(clean_exclude), **clean_options)
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
