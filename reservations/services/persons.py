"""Writes to a person's own fields. Every change to a person goes through
``person_update`` so that it is made under the person's row lock and leaves a
per-field history row, whoever makes it (staff, webhook, pull, sync)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from pms.services import model_create, model_update

from ..history import person_change
from ..models import Person, PersonChange
from .base import history_record, person_lock


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
    others = [f.name for f in Person._meta.concrete_fields if f.name not in values]
    changed = model_update(
        instance=person,
        values=values,
        clean_exclude=others,
        # The name policy's re-apply writes names EMIS sent, which its
        # contract checks, not the staff rules.
        staff_rules=source == PersonChange.Source.MANUAL,
    )
    history_record(
        person=person,
        changes=[person_change(*triple) for triple in changed],
        source=source,
        user=user,
    )
    return [name for name, _old, _new in changed]


@transaction.atomic
def person_create(*, values: Mapping[str, Any], user=None) -> Person:
    person = model_create(Person, **values)
    history_record(
        person=person,
        changes=[
            person_change(k, "", v) for k, v in values.items() if v not in ("", None)
        ],
        source=PersonChange.Source.MANUAL,
        user=user,
    )
    return person
