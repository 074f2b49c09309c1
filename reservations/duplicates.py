"""Possible duplicate persons: another person holds a document of the same
kind, issuing country and number (series and number compared as one key
without spaces, ``IdentityDocument.number_key``).

Computed on read, never stored as a mark: every writer (the guest card, the
API, EMIS's bulk apply, the sync) stays as it is, and no mark can go stale
when a number is corrected, a document deleted or two persons merged. The
cost is one query on the (number_key, kind) index for a whole page of
guests, whatever their number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .history import Entity, record_label, title
from .models import IdentityDocument, Person


@dataclass(frozen=True)
class DocumentMatch:
    """Why: this person's document and the other person's matching one."""

    document_id: int
    other_document_id: int
    kind: str
    issuing_country: str
    label: str  # "passport_rf 4510 ****56": never a full number

    @property
    def title(self) -> str:
        """As the card shows it: "Паспорт гражданина РФ 4510 ****56"."""
        return title(Entity.DOCUMENT, self.label)


@dataclass(frozen=True)
class Duplicate:
    person: Person  # the other person
    matches: list[DocumentMatch] = field(default_factory=list)


def countries_match(a: str, b: str) -> bool:
    # A blank country is unknown, not a different one: staff often leave it
    # out where EMIS sends "RUS".
    return not a or not b or a.upper() == b.upper()


def same_document(a: IdentityDocument, b: IdentityDocument) -> bool:
    """One physical document, whoever typed it: the rule for duplicates and
    for keeping a document once when two persons are merged."""
    return (
        a.kind == b.kind
        and a.number_key == b.number_key
        and countries_match(a.issuing_country, b.issuing_country)
    )


def duplicates_of(documents: Iterable[IdentityDocument]) -> dict[int, list[Duplicate]]:
    """For each person owning one of ``documents`` (as read from the
    database, e.g. prefetched for a page): the other persons holding the same
    document, oldest person ID first. One query however many documents."""
    docs = list(documents)
    if not docs:
        return {}
    candidates = (
        IdentityDocument.objects.filter(
            number_key__in={d.number_key for d in docs}, kind__in={d.kind for d in docs}
        )
        # The page's own documents are in hand: only the others are read
        # (with their persons), not every guest's documents a second time.
        .exclude(pk__in=[d.pk for d in docs])
        .select_related("person")
        .order_by("person_id", "id")
    )
    by_key: dict[tuple[str, str], list[IdentityDocument]] = {}
    others = sorted([*candidates, *docs], key=lambda d: (d.person_id, d.pk))
    for other in others:
        by_key.setdefault((other.kind, other.number_key), []).append(other)
    found: dict[int, dict[int, Duplicate]] = {}
    for doc in docs:
        for other in by_key.get((doc.kind, doc.number_key), ()):
            if other.person_id == doc.person_id or not same_document(doc, other):
                continue
            per_person = found.setdefault(doc.person_id, {})
            duplicate = per_person.setdefault(
                other.person_id, Duplicate(person=other.person)
            )
            duplicate.matches.append(_match(doc, other))
    return {
        pid: sorted(dups.values(), key=lambda d: d.person.pk)
        for pid, dups in found.items()
    }


def _match(doc: IdentityDocument, other: IdentityDocument) -> DocumentMatch:
    label = record_label(
        Entity.DOCUMENT, kind=doc.kind, series=doc.series, number=doc.number
    )
    return DocumentMatch(
        document_id=doc.pk,
        other_document_id=other.pk,
        kind=doc.kind,
        issuing_country=doc.issuing_country or other.issuing_country,
        label=label,
    )


def person_duplicates(person_id: int) -> list[Duplicate]:
    """The possible duplicates of one person (two queries)."""
    documents = IdentityDocument.objects.filter(person_id=person_id)
    return duplicates_of(documents).get(person_id, [])
