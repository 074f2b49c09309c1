"""Human names of EMIS field paths ("documents[passport_rf 4510 ****56].
expiry_date" → "identity document: expiry date"), for the pull's result and
the card's conflict comparison. The bracketed key is never shown. Also the
bad fields of a refused payload ("person.documents[0].issuing_country"), for
the guest card's notice."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from reservations.models import (
    NAME_FIELDS,
    DocumentKind,
    IdentityDocument,
    MigrationCard,
    Person,
    Visa,
)

# Collections of a person's EMIS data as they appear in changed-field paths
# such as "documents[passport_rf 4510 123456].expiry_date".
_COLLECTIONS = {
    "documents": IdentityDocument,
    "visas": Visa,
    "migration_card": MigrationCard,
}


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # an unknown path part: show it as it came
        return name


def _label(path: str) -> str:
    head, _dot, attr = path.partition(".")
    base = head.partition("[")[0]
    model = _COLLECTIONS.get(base)
    if model is None:
        return _field_label(Person, base)
    what = str(model._meta.verbose_name)
    # The bracketed key holds the document number: never shown here.
    return f"{what}: {_field_label(model, attr)}" if attr else what


def changed_field_labels(paths: list[str]) -> list[str]:
    """Human names of changed fields, in order, each once."""
    labels: list[str] = []
    for path in paths:
        label = _label(str(path))
        if label not in labels:
            labels.append(label)
    return labels


# Bookkeeping the apply writes beside the data: never a field to a clerk
# (the pull's result once read "transliterated parts").
_INTERNAL = {"transliterated_parts", "name_sources", "emis_values"}
# How many groups the one-line summary names before "…".
SUMMARY_GROUPS = 4


@dataclass(frozen=True)
class ChangesSummary:
    """A pull's changed fields for a sticky status line: their number and a
    few groups ("ФИО, паспорт, виза"), the full labels for a <details>."""

    count: int
    groups: list[str]
    more: bool
    labels: list[str]

    def __bool__(self) -> bool:
        return self.count > 0


def _group(path: str) -> str:
    head = path.partition(".")[0]
    base, _bracket, key = head.partition("[")
    if base in NAME_FIELDS:
        return str(_("full name"))
    if base == "documents":
        kind = key.split(" ", 1)[0]
        # The kind only: the rest of the key is the document's number.
        if kind in DocumentKind.values:
            return str(DocumentKind(kind).label)
    return _label(base) if base in _COLLECTIONS else _label(path)


_RANKS = {"documents": 0, "visas": 1, "migration_card": 2}


def _rank(path: str) -> int:
    base = path.partition(".")[0].partition("[")[0]
    if base in NAME_FIELDS:
        return 3
    return _RANKS.get(base, 4)


def changed_fields_summary(paths: list[str]) -> ChangesSummary:
    """The pull's result in a line: fields counted once, internal ones left
    out, grouped by name / document / visa / field."""
    shown = [str(p) for p in paths if str(p).partition(".")[0] not in _INTERNAL]
    labels = changed_field_labels(shown)
    groups: list[str] = []
    # What a clerk uploads comes first: documents, visas, the card, the name.
    for path in sorted(shown, key=_rank):
        group = _group(path)
        if group not in groups:
            groups.append(group)
    return ChangesSummary(
        count=len(labels),
        groups=groups[:SUMMARY_GROUPS],
        more=len(groups) > SUMMARY_GROUPS,
        labels=labels,
    )


# --- A refused payload's bad fields -------------------------------------------

# EMIS's bookkeeping in a person: no field of the guest's card.
_EMIS_KEYS = {"person_id", "version", "updated_at"}
_SCRIPTS = {"latin", "cyrillic"}


def _known_label(model, name: str) -> str | None:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return None


def payload_field_label(path: str) -> str | None:
    """A bad field of a refused EMIS payload by the name the guest card
    gives it: "person.documents[0].issuing_country" → "identity document
    no. 1: issuing country", "person.surname.latin" → "surname (Latin)";
    None when the path is no data of the guest's (the event, IDs)."""
    if not path.startswith("person."):
        return None
    head, _dot, attr = path.removeprefix("person.").partition(".")
    base, _bracket, index = head.partition("[")
    model = _COLLECTIONS.get(base)
    if model is None:
        if base in _EMIS_KEYS:
            return None
        return _known_label(Person, f"{base}_{attr}" if attr in _SCRIPTS else base)
    what = str(model._meta.verbose_name)
    number = index.rstrip("]")
    if number.isdigit():  # the payload counts from 0, a clerk from 1
        what = _("%(what)s no. %(number)s") % {"what": what, "number": int(number) + 1}
    label = _known_label(model, attr) if attr else None
    return f"{what}: {label}" if label else what
