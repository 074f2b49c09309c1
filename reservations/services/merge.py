"""Merging a duplicate person into another, the survivor.

Every row that points at the merged person moves to the survivor. The
relations are read from the model (``Person._meta.related_objects``), so a
model that gains a foreign key to Person later moves too: stays, documents,
visas, migration card, history, EMIS jobs, upload clicks, aliases. What
both hold is kept once: the same document (``duplicates.same_document``) or
visa stays the survivor's, its blank fields filled from the other copy; of
two different migration cards the newer stays and the older one's values
remain in the history. The survivor's blank fields take the merged
person's values; a field both filled keeps the survivor's.

The merged ID becomes an alias (``PersonAlias``) that keeps naming the
survivor for EMIS, the API and the pages (``reservations/aliases.py``),
with the merged person's EMIS version, since EMIS versions each ID apart.
The merge is one history row of the survivor, whose history now holds the
merged person's too.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..aliases import person_ids_resolve
from ..duplicates import same_document
from ..history import Change, Entity, masked_label, merge_change, record_label
from ..models import (
    IdentityDocument,
    MigrationCard,
    Person,
    PersonAlias,
    Stay,
    Visa,
)
from ..signals import person_merging
from .base import history_record
from .documents import record_delete, record_update
from .persons import person_update

log = logging.getLogger("reservations.merge")

MERGE = "merge"  # PersonChange.Source.MERGE
_BLANK = ("", None)


class MergeRefused(Exception):
    """Why two persons cannot be merged: ``code`` for machines, ``message``
    for people (the API answers 409)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def merge_refusal(
    *, person_id: int, into_id: int, present: set[int] | None = None
) -> MergeRefused | None:
    """Why ``person_id`` cannot be merged into ``into_id``, if it cannot
    (the confirmation page asks before the admin confirms). ``present``: the
    IDs found as persons, when the caller has them locked already."""
    if person_id == into_id:
        return MergeRefused("merge_into_itself", _("A person cannot be merged into itself."))
    if present is None:
        present = set(
            Person.objects.filter(pk__in=[person_id, into_id]).values_list("pk", flat=True)
        )
    survivors = person_ids_resolve([person_id, into_id])
    # Before "one person already": merging a merged ID again (a repeated
    # request) is told apart from merging a survivor into its own alias.
    if person_id not in present and survivors[person_id] != person_id:
        return MergeRefused(
            "already_merged",
            _("Person ID %(id)s is already merged into person ID %(into)s.")
            % {"id": person_id, "into": survivors[person_id]},
        )
    if survivors[person_id] == survivors[into_id]:
        return MergeRefused(
            "merge_into_itself",
            _("Person IDs %(id)s and %(into)s already name one person.")
            % {"id": person_id, "into": into_id},
        )
    if into_id not in present and survivors[into_id] != into_id:
        return MergeRefused(
            "merge_into_alias",
            _(
                "Person ID %(id)s was itself merged into person ID %(into)s: "
                "merge into %(into)s instead."
            )
            % {"id": into_id, "into": survivors[into_id]},
        )
    if into_id not in present:
        message = _("No person with ID %(id)s.") % {"id": into_id}
        raise ValidationError({"into": message})
    if person_id not in present:
        raise Person.DoesNotExist
    return _shared_reservations(person_id, into_id)


def _shared_reservations(person_id: int, into_id: int) -> MergeRefused | None:
    shared = list(
        Stay.objects.filter(person_id=person_id, reservation__stays__person_id=into_id)
        .order_by("reservation_id")
        .values_list("reservation_id", flat=True)
    )
    if not shared:
        return None
    # One person is a guest of a reservation once: which stay (dates, note,
    # card issued) should go is the staff's choice, not the merge's.
    return MergeRefused(
        "same_reservation",
        _(
            "Both persons are guests of reservation %(ids)s: remove one of the "
            "two guests from it first."
        )
        % {"ids": ", ".join(str(pk) for pk in shared)},
    )


def person_merge(*, person_id: int, into_id: int, user=None) -> Person:
    """Merge ``person_id`` into ``into_id``; return the survivor.

    Raises ``MergeRefused`` (itself, an alias, a merged person, a shared
    reservation), ``ValidationError`` for an unknown ``into_id`` and
    ``Person.DoesNotExist`` for an unknown ``person_id``."""
    try:
        with transaction.atomic():
            return _merge(person_id, into_id, user)
    except IntegrityError as exc:
        # A row that cannot move (one added meanwhile, or a model's own
        # unique rule): nothing was changed.
        raise MergeRefused(
            "rows_conflict",
            _("The two persons' records could not be combined; nothing was changed."),
        ) from exc


def _merge(person_id: int, into_id: int, user) -> Person:
    # Both rows locked, in ID order as every multi-person writer does, so a
    # webhook or a staff save of either waits for the merge.
    locked = {
        p.pk: p
        for p in Person.objects.select_for_update()
        .filter(pk__in=[person_id, into_id])
        .order_by("pk")
    }
    refusal = merge_refusal(person_id=person_id, into_id=into_id, present=set(locked))
    if refusal is not None:
        raise refusal
    merged, survivor = locked[person_id], locked[into_id]
    once = _KeptOnce()
    changes = [merge_change(merged_id=merged.pk, survivor_id=survivor.pk)]
    changes += _documents_once(merged, survivor, once)
    changes += _visas_once(merged, survivor, once)
    changes += _one_migration_card(merged, survivor, once)
    person_merging.send(
        sender=Person,
        merged_id=merged.pk,
        survivor_id=survivor.pk,
        replaced=once.replaced,
    )
    _move_rows(merged, survivor)
    PersonAlias.objects.create(
        pk=merged.pk,
        person=survivor,
        merged_by=user if user is not None and user.is_authenticated else None,
        emis_version=merged.emis_version,
        emis_content_hash=merged.emis_content_hash,
        emis_updated_at=merged.emis_updated_at,
    )
    history_record(person=survivor, changes=changes, source=MERGE, user=user)
    _fill_blank_fields(merged, survivor, user)
    merged.delete()
    Person.objects.filter(pk=survivor.pk).update(updated_at=timezone.now())
    log.info(
        "merged person_id=%s into person_id=%s kept_once=%s",
        person_id,
        survivor.pk,
        ",".join(map(masked_label, once.labels)) or "-",
    )
    survivor.refresh_from_db()
    return survivor


def _blank_values(keep: models.Model, other: models.Model) -> dict:
    """``other``'s values of the editable fields ``keep`` has blank."""
    names = [
        f.name
        for f in keep._meta.concrete_fields
        if f.editable and not f.primary_key and f.name != "person"
    ]
    return {
        name: getattr(other, name)
        for name in names
        if getattr(keep, name) in _BLANK and getattr(other, name) not in _BLANK
    }


def _remember_emis_values(keep: models.Model, other: models.Model) -> None:
    """What EMIS gave ``other`` for the fields ``keep`` has no record of:
    a later EMIS value then meets the same conflict check (emis/conflicts.py)
    as if it had been given to ``keep``, so a value staff typed is not
    silently overwritten."""
    known = {**(other.emis_values or {}), **(keep.emis_values or {})}
    if known != (keep.emis_values or {}):
        keep.emis_values = known
        type(keep).objects.filter(pk=keep.pk).update(emis_values=known)


def _fill_blanks(keep: models.Model, other: models.Model) -> list[Change]:
    """``keep``'s blank fields take ``other``'s values (history rows)."""
    _remember_emis_values(keep, other)
    values = _blank_values(keep, other)
    if not values:
        return []
    try:
        return record_update(obj=keep, values=values)
    except ValidationError:
        # The two copies disagree (an expiry before the other's issue date):
        # the survivor's copy stays as it was, the other's is in the history.
        keep.refresh_from_db()
        return []


class _KeptOnce:
    """Records both persons held, kept once: labels for the log, and which
    record replaced which (``person_merging`` receivers re-point rows that
    name a record by its id)."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.replaced: dict[str, dict[int, int]] = {}

    def note(self, entity: str, gone: models.Model, kept: models.Model) -> None:
        self.labels.append(_label(entity, kept) or entity)
        self.replaced.setdefault(entity, {})[gone.pk] = kept.pk


def _documents_once(merged: Person, survivor: Person, once: _KeptOnce) -> list[Change]:
    mine = list(IdentityDocument.objects.filter(person=survivor))
    changes: list[Change] = []
    for doc in IdentityDocument.objects.filter(person=merged):
        twin = next((d for d in mine if same_document(d, doc)), None)
        if twin is not None:
            changes += _fill_blanks(twin, doc)
            once.note(Entity.DOCUMENT, doc, twin)
            doc.delete()  # the survivor's copy is the document from now on
    return changes


def _series_number(record: Visa | MigrationCard) -> str:
    return "".join(f"{record.series}{record.number}".split()).upper()


def _visas_once(merged: Person, survivor: Person, once: _KeptOnce) -> list[Change]:
    mine = {_series_number(v): v for v in Visa.objects.filter(person=survivor)}
    changes: list[Change] = []
    for visa in Visa.objects.filter(person=merged):
        twin = mine.get(_series_number(visa))
        if twin is not None:
            changes += _fill_blanks(twin, visa)
            once.note(Entity.VISA, visa, twin)
            visa.delete()
    return changes


def _one_migration_card(merged: Person, survivor: Person, once: _KeptOnce) -> list[Change]:
    """One card per person: a twin is kept once; of two different cards the
    one with the later entry date stays, the other's values in the history."""
    mine = MigrationCard.objects.filter(person=survivor).first()
    theirs = MigrationCard.objects.filter(person=merged).first()
    if mine is None or theirs is None:
        return []  # the merged person's card, if any, simply moves
    if _series_number(mine) == _series_number(theirs):
        changes = _fill_blanks(mine, theirs)
        once.note(Entity.MIGRATION_CARD, theirs, mine)
        theirs.delete()
        return changes
    if (theirs.entry_date or dt.date.min) > (mine.entry_date or dt.date.min):
        mine, theirs = theirs, mine  # the newer card stays
    once.note(Entity.MIGRATION_CARD, theirs, mine)
    return record_delete(obj=theirs)


def _move_rows(merged: Person, survivor: Person) -> None:
    """Every row still pointing at the merged person now points at the
    survivor, whatever its model."""
    for relation in Person._meta.related_objects:
        if not relation.field.concrete:
            continue
        name = relation.field.name
        manager = relation.related_model._base_manager
        manager.filter(**{name: merged}).update(**{name: survivor})


def _fill_blank_fields(merged: Person, survivor: Person, user) -> None:
    # Under the row lock and with history, as every change to a person.
    _remember_emis_values(survivor, merged)
    values = _blank_values(survivor, merged)
    if not values:
        return
    person_update(person_id=survivor.pk, values=values, source=MERGE, user=user)
    # A name part filled from the merged person came from where theirs did
    # (a policy re-apply must not take a staff-typed one for EMIS's).
    sources = {
        part: source
        for part, source in (merged.name_sources or {}).items()
        if part in values
    }
    if sources:
        Person.objects.filter(pk=survivor.pk).update(
            name_sources={**(survivor.name_sources or {}), **sources}
        )


def _label(entity: str, obj: models.Model) -> str:
    return record_label(
        entity, kind=getattr(obj, "kind", ""), series=obj.series, number=obj.number
    )
