"""The vocabulary of a person's change history: which entity changed (the
person, a document, a visa, the migration card), which one (its id and a
stable label: kind, series and masked number) and which field.

Every writer (the guest card, the API, EMIS) builds its rows with
``person_change``/``record_change`` here, and the history page reads them
back with ``title``, so one document has one title whoever wrote it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db import models
from django.utils.text import capfirst

from pms.masking import mask_document, mask_number

from .history_text import as_text  # noqa: F401 (re-exported: the rows' text form)
from .models import (
    DocumentKind,
    IdentityDocument,
    MigrationCard,
    Person,
    PersonChange,
    Visa,
)

Entity = PersonChange.Entity
# Fields that hold (part of) a document number: their values are masked for
# roles that may not see numbers.
SENSITIVE_FIELDS = frozenset({"series", "number"})
ENTITY_MODELS: dict[str, type[models.Model]] = {
    Entity.PERSON: Person,
    Entity.DOCUMENT: IdentityDocument,
    Entity.VISA: Visa,
    Entity.MIGRATION_CARD: MigrationCard,
}
_KEY_PREFIX = {Entity.DOCUMENT: "documents", Entity.VISA: "visas"}


class Change(NamedTuple):
    """One changed field: a history row before it is stored."""

    entity: str
    entity_id: int | None
    label: str
    field: str
    old: Any
    new: Any
    sensitive: bool

    @property
    def key(self) -> str:
        """One line for logs and pull results: "surname",
        "documents[passport_rf 4510 ****56].expiry_date",
        "migration_card.number". Never a full number."""
        if self.entity == Entity.PERSON:
            return self.field
        prefix = _KEY_PREFIX.get(self.entity)
        if prefix is None:
            return f"{self.entity}.{self.field}"
        return f"{prefix}[{self.label}].{self.field}"


def masked_label(label: str) -> str:
    """A record's label with its series masked together with its number
    ("passport_rf ********21"), as headings show it: for logs and job
    results. A passport's series (region and year) narrows the guest down as
    much as the number (``pms.masking.mask_document``); the stored label
    keeps it, to tell one person's records apart."""
    kind, _sep, series_number = label.partition(" ")
    if kind in DocumentKind.values:
        return f"{kind} {mask_document(series_number, '')}".strip()
    return mask_document(label, "")


def masked_key(key: str) -> str:
    """``Change.key`` with ``masked_label``: "documents[passport_rf
    ********21].issuer"."""
    head, bracket, rest = key.partition("[")
    if not bracket:
        return key
    label, _close, field = rest.partition("]")
    return f"{head}[{masked_label(label)}]{field}"


def person_change(field: str, old: Any, new: Any) -> Change:
    return Change(Entity.PERSON, None, "", field, old, new, False)


# The history row of a merge: the merged person's ID became the survivor's.
MERGED_ID_FIELD = "merged_person_id"


def merge_change(*, merged_id: int, survivor_id: int) -> Change:
    return person_change(MERGED_ID_FIELD, merged_id, survivor_id)


def entity_of(model: type[models.Model]) -> str:
    return next(e for e, m in ENTITY_MODELS.items() if m is model)


def record_label(
    entity: str, *, kind: str = "", series: str | None = "", number: str | None = ""
) -> str:
    """Which document: its kind, series and the masked tail of its number,
    enough to tell a person's documents apart. A migration card needs none
    (one per person)."""
    if entity == Entity.MIGRATION_CARD:
        return ""
    # Labels are shown to every role and end up in logs: never a full number.
    return " ".join(p for p in (kind, (series or "")[:20], mask_number(number)) if p)


def record_changes(obj: models.Model, triples) -> list[Change]:
    """``(field, old, new)`` changes of one document, visa or migration card
    (labelled as it is now: call after setting the new values)."""
    entity = entity_of(type(obj))
    label = record_label(
        entity, kind=getattr(obj, "kind", ""), series=obj.series, number=obj.number
    )
    return [
        Change(entity, obj.pk, label, name, old, new, name in SENSITIVE_FIELDS)
        for name, old, new in triples
    ]


def title(entity: str, label: str) -> str:
    """The heading of a record's rows: "Паспорт гражданина РФ ********56".
    The label keeps the series (it tells records apart); a heading, shown
    to every role, masks it with the number (``mask_document``)."""
    if entity == Entity.PERSON:
        return ""
    kind, _sep, rest = label.partition(" ")
    if entity == Entity.DOCUMENT and kind in DocumentKind.values:
        return f"{DocumentKind(kind).label} {mask_document(rest, '')}".strip()
    model = ENTITY_MODELS.get(entity)
    name = capfirst(model._meta.verbose_name) if model else entity
    return f"{name} {mask_document(label, '')}".strip()


def record_titles(changes) -> dict[int, str]:
    """The title of each stored row (by pk), one per record: the label of the
    record's newest row (``changes`` newest first), so a number corrected
    later does not split its history in two. A row without an id (a record
    EMIS created in a bulk write) joins the record that has its label."""
    ids: dict[tuple[str, str], int] = {}
    labels: dict[tuple[str, int], str] = {}
    for change in changes:
        if change.entity_id is not None:
            ids.setdefault((change.entity, change.entity_label), change.entity_id)
            labels.setdefault((change.entity, change.entity_id), change.entity_label)
    titles = {}
    by_label: dict[tuple[str, str], str] = {}  # a record's rows share one
    for change in changes:
        pk = change.entity_id or ids.get((change.entity, change.entity_label))
        label = labels.get((change.entity, pk), change.entity_label)
        if (change.entity, label) not in by_label:
            by_label[(change.entity, label)] = title(change.entity, label)
        titles[change.pk] = by_label[(change.entity, label)]
    return titles
