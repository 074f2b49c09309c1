"""Reads for the front-desk pages. Each returns everything its page needs in
a fixed number of queries, whatever the number of guests."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from .checks import StayWarning, stay_checks
from .duplicates import Duplicate, duplicates_of
from .models import (
    DocumentKind,
    IdentityDocument,
    Person,
    PersonChange,
    Reservation,
    Stay,
    Visa,
)
from .name_scripts import policy_script
from .validators import normalize_phone

GUEST_RELATED = (
    "person__documents",
    "person__visas",
)


def _stays_with_documents() -> QuerySet[Stay]:
    # migration_card is a reverse one-to-one: joined, so a missing card is
    # known without a query.
    return (
        Stay.objects.select_related("person", "person__migration_card")
        .prefetch_related(*GUEST_RELATED)
        .order_by("id")
    )


def name_q(field: str, text: str) -> Q:
    """Case-insensitive match that also works for Cyrillic on SQLite, whose
    LIKE folds ASCII only: try the usual spellings of a name too."""
    variants = {text, text.lower(), text.upper(), text.capitalize(), text.title()}
    query = Q()
    for variant in variants:
        query |= Q(**{f"{field}__icontains": variant})
    return query


def reservation_list(*, status: str = "", surname: str = "") -> QuerySet[Reservation]:
    qs = Reservation.objects.select_related("legal_entity").annotate(
        guest_count=Count("stays", distinct=True)
    )
    if status:
        qs = qs.filter(status=status)
    if surname:
        person_q = (
            name_q("surname", surname)
            | name_q("surname_latin", surname)
            | name_q("surname_cyrillic", surname)
        )
        qs = qs.filter(
            pk__in=Stay.objects.filter(
                person__in=Person.objects.filter(person_q)
            ).values("reservation_id")
        )
    # Aggregation drops Meta.ordering: order explicitly for stable pages.
    return qs.order_by("-arrival", "-id").prefetch_related(
        Prefetch("stays", queryset=Stay.objects.select_related("person").order_by("id"))
    )


@dataclass(frozen=True)
class Paper:
    """One line of a guest's Documents cell: "Виза до 30.06.2025"."""

    label: str
    until: str = ""  # dd.mm.yyyy, or empty when the paper has no end date


def _until(day) -> str:
    return f"{day.day:02}.{day.month:02}.{day.year}" if day else ""


class PaperLabels:
    """The kinds' names in the active language, translated once per page
    rather than once per document."""

    def __init__(self) -> None:
        self.kinds = {kind: str(label) for kind, label in DocumentKind.choices}
        self.visa = _("Visa")
        self.migration_card = _("Migration card")

    def papers(self, person: Person, documents: list, visas: list) -> list[Paper]:
        """A person's papers as the Гости tab lists them."""
        kinds = self.kinds
        papers = [
            Paper(kinds.get(doc.kind, doc.kind), _until(doc.expiry_date))
            for doc in documents
        ]
        papers += [Paper(self.visa, _until(v.valid_to)) for v in visas]
        if hasattr(person, "migration_card"):  # joined: no query, none when absent
            papers.append(Paper(self.migration_card))
        return papers


@dataclass(frozen=True)
class GuestRow:
    """A guest of the Гости tab, with its papers' lines built here, not by
    template tags per document (~0.5 ms per guest, docs/benchmarks.md)."""

    stay: Stay
    warnings: list[StayWarning]
    ready: bool  # for registration (see ``checks.stay_is_ready``)
    duplicates: list[Duplicate] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)
    has_document: bool = False  # an identity document, not only a visa

    @classmethod
    def of(
        cls,
        stay: Stay,
        papers: GuestPapers,
        duplicates: list[Duplicate],
        labels: PaperLabels | None = None,
        name_script: str | None = None,
    ) -> GuestRow:
        """The row of one guest, judged once (the page asks twice: the badge
        and the reservation's count)."""
        documents, visas = papers.documents, papers.visas
        checks = stay_checks(
            stay, name_script=name_script, documents=documents, visas=visas
        )
        shown = (labels or PaperLabels()).papers(stay.person, documents, visas)
        return cls(
            stay, checks.warnings, checks.ready, duplicates, shown, bool(documents)
        )

    @property
    def person(self) -> Person:
        return self.stay.person


@dataclass(frozen=True)
class ReservationCard:
    reservation: Reservation
    guests: list[GuestRow]

    @property
    def ready_count(self) -> int:
        return sum(1 for row in self.guests if row.ready)


# Columns the Гости tab never shows nor checks (the guest page does): not
# fetched, decoded and set on the ~7 objects of each guest. Reading one here
# would cost a query per guest, which the tab's query-count test catches.
_RECORD_COLUMNS_NOT_ON_THE_TAB = ("emis_values", "created_at", "updated_at")
# The name parts' Latin and Cyrillic forms stay: the checks say which guests'
# names have no spelling in the policy's script (``name_scripts.py``).
_PERSON_COLUMNS_NOT_ON_THE_TAB = (
    "name_sources",
    "sex",
    "birth_date",
    "birth_place",
    "country",
    "address",
    "discount",
    "emis_version",
    "emis_content_hash",
    "emis_updated_at",
    *_RECORD_COLUMNS_NOT_ON_THE_TAB,
)


def _guests_tab_stays() -> QuerySet[Stay]:
    return (
        Stay.objects.select_related("person", "person__migration_card")
        .defer(
            "organization",
            "payer",
            "agency",
            "contact_method",
            "created_at",
            "updated_at",
            *(f"person__{name}" for name in _PERSON_COLUMNS_NOT_ON_THE_TAB),
            *(
                f"person__migration_card__{name}"
                for name in _RECORD_COLUMNS_NOT_ON_THE_TAB
            ),
        )
        .order_by("id")
    )


class TabDocument(NamedTuple):
    """An identity document as the Гости tab lists, checks (``checks``) and
    matches it (``duplicates_of``): the columns it reads, as values rather
    than a model object (~8 µs each, two per guest, docs/benchmarks.md)."""

    pk: int
    person_id: int
    kind: str
    series: str
    number: str
    number_key: str
    issuing_country: str
    expiry_date: dt.date | None
    # Its holder, as a prefetched document knows it: ``duplicates_of`` names
    # a twin in the same reservation without a query.
    person: Person


class TabVisa(NamedTuple):
    """A visa as the Гости tab lists and checks it (as ``TabDocument``)."""

    person_id: int
    category: str
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass(frozen=True)
class GuestPapers:
    """One guest's documents and visas, in the models' order."""

    documents: list[TabDocument] = field(default_factory=list)
    visas: list[TabVisa] = field(default_factory=list)


def _guests_papers(persons: list[Person]) -> dict[int, GuestPapers]:
    """The persons' documents and visas: two queries, grouped here. Django's
    prefetch would hold each person's in a queryset of its own, and every
    ``person.documents.all()`` of the checks makes a manager (together ~40 µs
    a guest, docs/benchmarks.md)."""
    by_id = {person.pk: person for person in persons}
    papers = {pk: GuestPapers() for pk in by_id}
    ids = list(by_id)
    documents = IdentityDocument.objects.filter(person_id__in=ids)
    for row in documents.values_list(*TabDocument._fields[:-1]):
        papers[row[1]].documents.append(TabDocument(*row, by_id[row[1]]))
    for row in Visa.objects.filter(person_id__in=ids).values_list(*TabVisa._fields):
        papers[row[0]].visas.append(TabVisa(*row))
    return papers


def reservation_card(reservation_id: int) -> ReservationCard:
    """The reservation with its guests, their documents and warnings: six
    queries (one the name policy's script), whatever the number of guests."""
    reservation = Reservation.objects.select_related("legal_entity").get(
        pk=reservation_id
    )
    stays = list(_guests_tab_stays().filter(reservation_id=reservation_id))
    papers = _guests_papers([stay.person for stay in stays])
    # One query for the whole reservation, from the documents just read.
    duplicates = duplicates_of(d for p in papers.values() for d in p.documents)
    labels = PaperLabels()
    script = policy_script(reservation.legal_entity_id)
    guests = [
        GuestRow.of(
            stay,
            papers[stay.person_id],
            duplicates.get(stay.person_id, []),
            labels,
            script,
        )
        for stay in stays
    ]
    return ReservationCard(reservation=reservation, guests=guests)


def reservation_guests_version(reservation_id: int) -> str:
    """A short token that changes whenever what the Гости tab shows may have:
    a guest added or removed, or a person's row written (staff, EMIS by
    webhook, pull or sync, a name policy re-apply: each bumps
    ``updated_at``, bulk writes too). One indexed query, no rendering: the
    open tab asks it every few seconds."""
    rows = (
        Stay.objects.filter(reservation_id=reservation_id)
        .order_by("pk")
        .values_list("pk", "updated_at", "person_id", "person__updated_at")
    )
    text = ";".join(",".join(map(str, row)) for row in rows)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def stay_detail(*, reservation_id: int, stay_id: int) -> Stay:
    return (
        _stays_with_documents()
        .select_related("reservation__legal_entity")
        .get(pk=stay_id, reservation_id=reservation_id)
    )


def next_stay_id(*, stay: Stay) -> int | None:
    """The next guest of the same reservation ("Следующий гость"), if any."""
    later = Stay.objects.filter(reservation_id=stay.reservation_id, pk__gt=stay.pk)
    return later.order_by("pk").values_list("pk", flat=True).first()


def person_history(*, person_id: int, limit: int = 50) -> list[PersonChange]:
    return list(
        PersonChange.objects.filter(person_id=person_id)
        .select_related("user")
        .order_by("-created_at", "-id")[:limit]
    )


def person_search(
    *, query: str, reservation_id: int | None = None, limit: int = 20
) -> list[Person]:
    """Persons matching a surname, a phone or a document number, so that a
    returning guest is attached with the person ID they already have. With
    ``reservation_id``, each has ``here_stay_id``: their stay in it, if they
    are already its guest (shown as such, with a link, not offered again: a
    clerk checking "did I add her already?" must not be told nobody is
    found)."""
    query = query.strip()
    if len(query) < 2:
        return []
    compact = "".join(query.split())
    match = (
        name_q("surname", query)
        | name_q("surname_latin", query)
        | name_q("surname_cyrillic", query)
        | Q(documents__number=compact)
        | Q(visas__number=compact)
        | Q(migration_card__number=compact)
    )
    parts = query.split()
    if len(parts) >= 2:  # "4510 123456": series then number
        match |= Q(documents__series=parts[0], documents__number="".join(parts[1:]))
    phone = _phone_or_none(query)
    if phone:
        match |= Q(phone=phone)
    ids = Person.objects.filter(match)
    found = Person.objects.filter(pk__in=ids.values("pk"))
    if reservation_id is not None:
        here = Stay.objects.filter(person=OuterRef("pk"), reservation_id=reservation_id)
        found = found.annotate(here_stay_id=Subquery(here.values("pk")[:1]))
    return list(
        found.prefetch_related("documents").order_by("surname", "given_names", "id")[
            :limit
        ]
    )


def _phone_or_none(text: str) -> str | None:
    if sum(ch.isdigit() for ch in text) < 7 or any(ch.isalpha() for ch in text):
        return None
    try:
        return normalize_phone(text)
    except ValidationError:  # not a phone: the other keys still apply
        return None
