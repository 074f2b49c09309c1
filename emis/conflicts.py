"""Scan-vs-profile conflicts (issue 10, item 3).

EMIS data (read from the chip by RFID) is the most trustworthy source, so a
new EMIS version is applied — except to a field that staff changed *after*
the EMIS value it replaced. Such a field keeps the profile's value and
becomes an ``EmisConflict`` for staff to decide ("take EMIS" / "keep"); it
is never silently reverted and never hidden behind "unchanged".

How a field is judged (``decide``): each row remembers, per field, the value
EMIS last gave (``emis_values``, as text). When EMIS sends a value that
differs from the profile's, the profile still holding EMIS's previous value
(or EMIS never having given one) means nobody touched it: apply. Otherwise
staff changed it since: a conflict — unless staff already decided to keep
the profile's value against this very EMIS value.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from pms.services import model_update
from reservations.history import (
    ENTITY_MODELS,
    Change,
    as_text,
    person_change,
    record_changes,
)
from reservations.history import title as history_title
from reservations.models import Person, PersonChange
from reservations.services import person_lock
from reservations.services.base import history_record

from .models import EmisConflict

NAME_PARTS = ("surname", "given_names", "patronymic")


class Decision(enum.Enum):
    SAME = "same"  # the profile holds EMIS's value already
    APPLY = "apply"
    CONFLICT = "conflict"


def decide(obj: models.Model, name: str, new: Any) -> Decision:
    old = getattr(obj, name)
    if old == new:
        return Decision.SAME
    given = (obj.emis_values or {}).get(name) if obj.pk is not None else None
    if given is None or given == as_text(old):
        return Decision.APPLY
    return Decision.CONFLICT


def remember(obj: models.Model, name: str, value: Any) -> bool:
    """Note ``value`` as what EMIS gave for ``name``; True if that changed."""
    text = as_text(value)
    if _given(obj).get(name) == text:
        return False
    obj.emis_values = {**_given(obj), name: text}
    return True


def remembered(obj: models.Model, name: str, value: Any) -> dict[str, str]:
    """``obj``'s ``emis_values`` with ``value`` noted for ``name``, to write
    with the value itself."""
    return {**_given(obj), name: as_text(value)}


def _given(obj: models.Model) -> dict[str, str]:
    return obj.emis_values if isinstance(obj.emis_values, dict) else {}


@dataclass(frozen=True)
class Found:
    """A conflict met by one delivery, before it is stored."""

    person_id: int
    change: Change  # old: the profile's value, new: EMIS's

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.change.entity, self.change.entity_id or 0, self.change.field)


def conflicts_record(found: list[Found]) -> list[Found]:
    """Store what a batch met (one query to read, bulk writes); return the
    ones that are open now — a field whose EMIS value staff already decided
    to keep the profile against is left closed."""
    if not found:
        return []
    existing = {
        (c.person_id, c.entity, c.entity_id, c.field): c
        for c in EmisConflict.objects.filter(person_id__in={f.person_id for f in found})
    }
    now = timezone.now()
    new, changed, still_open = [], [], []
    for item in found:
        profile, emis = as_text(item.change.old), as_text(item.change.new)
        row = existing.get((item.person_id, *item.key))
        if row is None:
            row = EmisConflict(
                person_id=item.person_id,
                entity=item.change.entity,
                entity_id=item.change.entity_id or 0,
                field=item.change.field,
                since=now,
            )
            new.append(row)
        elif row.kept == EmisConflict.Keep.PROFILE and row.emis_value == emis:
            continue  # decided already, for this EMIS value
        else:
            changed.append(row)
            if row.resolved_at is not None or row.emis_value != emis:
                # Reopened, or EMIS sent yet another value: a new question.
                row.since, row.resolved_at, row.kept, row.resolved_by = (
                    now,
                    None,
                    "",
                    None,
                )
        row.path, row.profile_value, row.emis_value = item.change.key, profile, emis
        still_open.append(item)
    EmisConflict.objects.bulk_create(new)
    fields = [
        "path",
        "profile_value",
        "emis_value",
        "since",
        "resolved_at",
        "kept",
        "resolved_by",
    ]
    EmisConflict.objects.bulk_update(changed, fields)
    return still_open


def kept_against(*, person_ids: list[int]) -> dict[tuple, str]:
    """(person, entity, record, field) → the EMIS value staff decided to keep
    the profile's value against, for ``person_ids`` (one query)."""
    rows = EmisConflict.objects.filter(
        person_id__in=person_ids, kept=EmisConflict.Keep.PROFILE
    ).values_list("person_id", "entity", "entity_id", "field", "emis_value")
    return {tuple(row[:4]): row[4] for row in rows}


def open_conflicts(*, person_id: int) -> list[EmisConflict]:
    """The open conflicts, as the profile stands now: a field staff have
    since set to EMIS's value (or whose record is gone) is closed, one they
    changed again shows their new value. At most one query per kind of
    record, besides the conflicts."""
    # One person's: by path, as Meta.ordering would, without its join to
    # order by the person's name.
    rows = list(
        EmisConflict.objects.filter(
            person_id=person_id, resolved_at__isnull=True
        ).order_by("path")
    )
    current = _current_rows(person_id, rows)
    closed, moved = [], []
    for row in rows:
        obj = current.get((row.entity, row.entity_id))
        now_value = as_text(getattr(obj, row.field)) if obj is not None else None
        if now_value is None or now_value == row.emis_value:
            row.resolved_at, row.kept = timezone.now(), EmisConflict.Keep.EMIS
            closed.append(row)
        elif now_value != row.profile_value:
            row.profile_value = now_value
            moved.append(row)
    EmisConflict.objects.bulk_update(closed, ["resolved_at", "kept"])
    EmisConflict.objects.bulk_update(moved, ["profile_value"])
    return [row for row in rows if row.resolved_at is None]


def _current_rows(person_id: int, rows: list[EmisConflict]) -> dict[tuple, Any]:
    found: dict[tuple, Any] = {}
    for entity in {row.entity for row in rows}:
        model = ENTITY_MODELS[entity]
        if model is Person:
            found[(entity, 0)] = Person.objects.filter(pk=person_id).first()
            continue
        ids = [row.entity_id for row in rows if row.entity == entity]
        for pk, obj in model.objects.filter(person_id=person_id).in_bulk(ids).items():
            found[(entity, pk)] = obj
    return found


def persons_with_open_conflicts(*, person_ids: list[int]) -> set[int]:
    return set(
        EmisConflict.objects.filter(
            person_id__in=person_ids, resolved_at__isnull=True
        ).values_list("person_id", flat=True)
    )


def shown_conflict(conflict: EmisConflict) -> dict:
    """One row of the card's comparison: which field ("Паспорт гражданина
    РФ 4510 ****56: кем выдан"), and both values as the card shows them
    (choices by their label, dates as dates)."""
    model = ENTITY_MODELS[conflict.entity]
    field = model._meta.get_field(conflict.field)
    label = str(capfirst(field.verbose_name))
    if model is not Person:
        record = conflict.path.partition("[")[2].partition("]")[0]
        label = f"{history_title(conflict.entity, record)}: {field.verbose_name}"
    return {
        "path": conflict.path,
        "label": label,
        "profile": _display(field, conflict.profile_value),
        "emis": _display(field, conflict.emis_value),
        "emis_value": conflict.emis_value,
    }


def _display(field: models.Field, text: str) -> str:
    if text == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(text, text))
    if isinstance(field, models.DateField):
        try:
            return date_format(field.to_python(text), "SHORT_DATE_FORMAT")
        except ValidationError:
            return text
    return text


@transaction.atomic
def conflicts_resolve(
    *,
    person_id: int,
    keep: str,
    field: str | None = None,
    seen: str | None = None,
    user=None,
) -> list[EmisConflict]:
    """Decide open conflicts (all, or the one whose path is ``field``):
    ``keep="emis"`` writes EMIS's value into the profile, ``"profile"``
    keeps the profile's value against this EMIS value. ``seen`` is the EMIS
    value the deciding person was shown: if EMIS sent another one since,
    nothing is decided. Each decision is a history row with who made it.
    Returns the conflicts decided."""
    if keep not in EmisConflict.Keep.values:
        raise ValidationError({"keep": _("Choose “emis” or “profile”.")})
    person = person_lock(person_id=person_id)
    open_conflicts(person_id=person_id)  # as the profile stands now
    pending = EmisConflict.objects.select_for_update().filter(
        person_id=person_id, resolved_at__isnull=True
    )
    if field is not None:
        pending = pending.filter(path=field)
    decided = list(pending)
    if field is not None and not decided:
        raise ValidationError({"field": _("This field has no open conflict.")})
    if seen is not None and any(c.emis_value != seen for c in decided):
        raise ValidationError(
            {
                "emis": _(
                    "EMIS has sent another value since: look at the comparison again."
                )
            }
        )
    changes = [
        change for conflict in decided for change in _decide_one(person, conflict, keep)
    ]
    source = (
        PersonChange.Source.KEEP_EMIS
        if keep == EmisConflict.Keep.EMIS
        else PersonChange.Source.KEEP_PROFILE
    )
    history_record(person=person, changes=changes, source=source, user=user)
    now = timezone.now()
    for conflict in decided:
        conflict.resolved_at, conflict.kept = now, keep
        conflict.resolved_by = (
            user if user is not None and user.is_authenticated else None
        )
    EmisConflict.objects.bulk_update(decided, ["resolved_at", "kept", "resolved_by"])
    return decided


def _decide_one(person: Person, conflict: EmisConflict, keep: str) -> list[Change]:
    model = ENTITY_MODELS[conflict.entity]
    row = person
    if model is not Person:
        row = model.objects.get(pk=conflict.entity_id, person_id=person.pk)
    name = conflict.field
    if keep == EmisConflict.Keep.PROFILE:
        # Nothing changes in the data: the row tells who decided against
        # which EMIS value.
        return _as_changes(row, [(name, conflict.emis_value, conflict.profile_value)])
    value = _from_text(model._meta.get_field(name), conflict.emis_value)
    values = {name: value, "emis_values": remembered(row, name, value)}
    if model is Person and name in NAME_PARTS:
        values["name_sources"] = {**(row.name_sources or {}), name: "emis"}
    # Only the decided field is judged: the others are as stored.
    changed = model_update(
        instance=row, values=values, clean_exclude=_other_fields(model, name)
    )
    return _as_changes(row, [c for c in changed if c[0] not in _BOOKKEEPING])


# What EMIS gave and where a name part came from: no history rows.
_BOOKKEEPING = ("emis_values", "name_sources")


def _as_changes(row: models.Model, triples: list[tuple[str, Any, Any]]) -> list[Change]:
    if isinstance(row, Person):
        return [person_change(*triple) for triple in triples]
    return record_changes(row, triples)


def _from_text(model_field: models.Field, text: str) -> Any:
    if text == "" and model_field.null:
        return None
    if isinstance(model_field, models.JSONField):
        return [part.strip() for part in text.split(",") if part.strip()]
    return model_field.to_python(text)


def _other_fields(model: type[models.Model], name: str) -> Iterable[str]:
    return [f.name for f in model._meta.concrete_fields if f.name != name]


def conflicts_follow_merge(
    sender, *, merged_id: int, survivor_id: int, replaced: dict, **kwargs
) -> None:
    """A merge of duplicate persons (``reservations.signals.person_merging``)
    moves the merged person's conflicts to the survivor. One about a record
    both held names the copy kept; where the survivor has one on the same
    field already, the survivor's stays (it compares the survivor's value)."""
    rows = EmisConflict.objects.select_for_update().filter(
        person_id__in=[merged_id, survivor_id]
    )
    taken: set[tuple] = set()
    kept, dropped = [], []
    # The survivor's own first: they win a clash.
    for row in sorted(rows, key=lambda r: (r.person_id != survivor_id, r.pk)):
        row.entity_id = replaced.get(row.entity, {}).get(row.entity_id, row.entity_id)
        key = (row.entity, row.entity_id, row.field)
        if key in taken:
            dropped.append(row.pk)
            continue
        taken.add(key)
        row.person_id = survivor_id
        kept.append(row)
    EmisConflict.objects.filter(pk__in=dropped).delete()
    EmisConflict.objects.bulk_update(kept, ["person", "entity_id"])
